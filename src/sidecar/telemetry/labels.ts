/**
 * Bounded label values. Model ids come from clients (any string a request names), so each distinct
 * value would be a new time series: the first `max` distinct values keep their name, later ones
 * share `OTHER`, and long values are cut. Provider, status and source are bounded by construction.
 */
export const OTHER = '__other__';
const MAX_LENGTH = 100;

export type LabelCap = (value: string) => string;

export function createLabelCap(max: number): LabelCap {
  const seen = new Set<string>();
  return (value) => {
    const label = value === '' ? 'unknown' : value.slice(0, MAX_LENGTH);
    if (seen.has(label)) return label;
    if (seen.size >= max) return OTHER;
    seen.add(label);
    return label;
  };
}
