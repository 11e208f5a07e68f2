# llmdev: the provider SDKs read OPENAI_API_KEY / ANTHROPIC_API_KEY; here both hold the sidecar's
# access token (a virtual key), never a provider key. Read from the secret file at shell start so the
# token stays out of image layers and container metadata. Sourced by login and interactive shells.
llmdev_token_file=${LLMDEV_TOKEN_FILE:-/run/secrets/llmdev_token}
if [ -r "$llmdev_token_file" ]; then
  llmdev_token=$(cat "$llmdev_token_file")
  if [ -n "$llmdev_token" ]; then
    export OPENAI_API_KEY="$llmdev_token" ANTHROPIC_API_KEY="$llmdev_token"
  fi
  unset llmdev_token
fi
unset llmdev_token_file
