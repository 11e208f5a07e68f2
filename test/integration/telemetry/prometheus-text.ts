/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * HELP or TYPE comment or a well-formed sample of a declared family (label values with only the
 * `\\`, `\"`, `\n` escapes, a float value), and histograms must be consistent (buckets cumulative
 * and ending with le="+Inf" equal to _count). Anything else throws with the line number.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  counter: [''],
  gauge: [''],
  untyped: [''],
};

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!match) return; // other comments are allowed
      const [, kind, name = '', rest = ''] = match;
      if (!NAME.test(name)) fail('bad metric name');
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        if (family.samples.length > 0) fail('TYPE after samples');
        family.type = rest as MetricFamily['type'];
      } else family.help = rest;
      families.set(name, family);
      return;
    }
    const sample = parseSample(line, fail);
    const family = [...families.values()].find((f) =>
      (SUFFIXES[f.type] ?? ['']).some((suffix) => f.name + suffix === sample.name),
    );
    if (!family) fail('sample of an undeclared family');
    family?.samples.push(sample);
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!nameMatch) fail('no metric name');
  const name = nameMatch?.[1] ?? '';
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,?)/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1] ?? '')) fail('bad label');
      const [whole = '', key = '', raw = '', comma] = label ?? [];
      if (key in labels) fail('duplicate label');
      labels[key] = raw.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(whole.length);
      if (!comma && !rest.startsWith('}')) fail('labels not separated by commas');
    }
    rest = rest.slice(1);
  }
  const value = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (!value) fail('bad value');
  // Like Prometheus (Go's ParseFloat), NaN and Inf in any case.
  const text = (value?.[1] ?? '').toLowerCase();
  const special: Record<string, number> = {
    nan: Number.NaN,
    '+inf': Infinity,
    inf: Infinity,
    '-inf': -Infinity,
  };
  const number = text in special ? (special[text] as number) : Number(text);
  if (!(text in special) && (Number.isNaN(number) || !/^[-+]?(\d|\.\d)/.test(text)))
    fail('value is not a number');
  return { name, labels, value: number };
}

function checkHistogram(family: MetricFamily): void {
  const groups = new Map<string, Sample[]>();
  for (const sample of family.samples) {
    const { le: _le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    groups.set(key, [...(groups.get(key) ?? []), sample]);
  }
  for (const [key, samples] of groups) {
    const buckets = samples.filter((s) => s.name === `${family.name}_bucket`);
    const count = samples.find((s) => s.name === `${family.name}_count`);
    const bounds = buckets.map((b) => Number(b.labels.le === '+Inf' ? Infinity : b.labels.le));
    const sorted = bounds.every((bound, i) => i === 0 || bound > (bounds[i - 1] as number));
    const cumulative = buckets.every((b, i) => i === 0 || b.value >= (buckets[i - 1] as Sample).value);
    if (!sorted || !cumulative || bounds.at(-1) !== Infinity || buckets.at(-1)?.value !== count?.value) {
      throw new Error(`histogram ${family.name} ${key}: buckets not cumulative or +Inf bucket != _count`);
    }
  }
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there are none). */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const family of families.values()) {
    for (const sample of family.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
    }
  }
  return sum;
}
