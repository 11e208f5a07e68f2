# llmdev: the provider SDKs read OPENAI_API_KEY / ANTHROPIC_API_KEY. Through the sidecar (the default)
# both hold its access token (a virtual key), never a provider key. A provider on `route: direct` has
# its real key mounted by your choice, named by LLMDEV_<PROVIDER>_KEY_FILE: then that key is used.
# Read from the secret files at shell start so nothing lands in image layers or container metadata.
# Sourced by login and interactive shells.
llmdev_read() { if [ -r "$1" ]; then cat "$1"; fi; }
llmdev_token=$(llmdev_read "${LLMDEV_TOKEN_FILE:-/run/secrets/llmdev_token}")
llmdev_key=${LLMDEV_OPENAI_KEY_FILE:+$(llmdev_read "$LLMDEV_OPENAI_KEY_FILE")}
llmdev_key=${llmdev_key:-$llmdev_token}
if [ -n "$llmdev_key" ]; then export OPENAI_API_KEY="$llmdev_key"; fi
llmdev_key=${LLMDEV_ANTHROPIC_KEY_FILE:+$(llmdev_read "$LLMDEV_ANTHROPIC_KEY_FILE")}
llmdev_key=${llmdev_key:-$llmdev_token}
if [ -n "$llmdev_key" ]; then export ANTHROPIC_API_KEY="$llmdev_key"; fi
unset llmdev_token llmdev_key
unset -f llmdev_read
