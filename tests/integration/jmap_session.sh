#!/bin/sh
# Session discovery on Cyrus: a bare URL gets /.well-known/jmap, its 301 is
# followed, relative URLs are resolved, the limits and account are read; a
# wrong password is an authentication error; TLS is verified with ca_file.
. "${TERN_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/jmap_lib.sh"

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
drive session >"$W/s" 2>&1
base="http://127.0.0.1:$CYRUS_HTTP_PORT"
check "bare URL: discovered through /.well-known/jmap (301 followed)" grep -qx "api_url=$base/jmap/" "$W/s"
check "relative download/upload/eventsource URLs resolved" sh -c "grep -qx 'upload_url=$base/jmap/upload/{accountId}/' '$W/s' &&
  grep -q '^download_url=$base/jmap/download/' '$W/s' && grep -q '^event_source_url=$base/jmap/eventsource/' '$W/s'"
check "primary mail account is the username" grep -qx "account_id=$USER1" "$W/s"
check "limits read: maxObjectsInGet 4096, maxCallsInRequest 50, maxSizeRequest 10 MB" sh -c "
  grep -qx max_objects_in_get=4096 '$W/s' && grep -qx max_calls_in_request=50 '$W/s' && grep -qx max_size_request=10485760 '$W/s'"
check "submission capability seen" grep -qx submission=1 "$W/s"

jmap_conf "$PUSH_JMAP_URL"
drive session >"$W/p" 2>&1
check "push endpoint: absolute eventSourceUrl kept" grep -qx "event_source_url=http://127.0.0.1:$PUSH_PORT/eventsource?types={types}&closeafter={closeafter}&ping={ping}" "$W/p"

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
sed -i "s/^password = .*/password = wrong/" "$W/conf"
check "wrong password: authentication error (exit 3)" sh -c "'$DRIVE' -c '$W/conf' j session >'$W/bad' 2>&1; [ \$? = 3 ]"
check "... and the password is not in the output or the log" sh -c "! grep -q wrong '$W/bad' && ! grep -q '$PASS1' '$W/tern.log'"

jmap_conf "https://127.0.0.1:$CYRUS_HTTPS_PORT" "ca_file = $CA_FILE"
check "HTTPS verified with ca_file (system store kept as well)" sh -c "'$DRIVE' -c '$W/conf' j session | grep -q '^api_url=https://'"
jmap_conf "https://127.0.0.1:$CYRUS_HTTPS_PORT" "ca_file = $BAD_CA_FILE"
check "HTTPS with a CA that did not sign the certificate: TLS error" sh -c "'$DRIVE' -c '$W/conf' j session | grep -q 'TLS'"
jmap_conf "https://127.0.0.1:$CYRUS_HTTPS_PORT"
check "HTTPS without ca_file: the system store does not trust the lab" sh -c "'$DRIVE' -c '$W/conf' j session | grep -q 'TLS'"
check_done
