#!/bin/sh
# Session discovery on Cyrus: a bare URL gets /.well-known/jmap, its 301 is
# followed, relative URLs are resolved, the limits and account are read; a
# wrong password is an authentication error; TLS is verified with ca_file.
# A bearer token is sent as one. A redirect to another host keeps the login
# over https, sends no password
# there over plain http, and https is never redirected to http.
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

# JSON numbers above 2^31 (and up to 2^53-1) survive tern's writer, Cyrus and
# tern's reader (cJSON keeps doubles and prints %g: see jmap_json.h).
for n in 3000000000 9007199254740991; do
  check "$n through Core/echo on Cyrus: tern writes and reads it exactly" sh -c "'$DRIVE' -c '$W/conf' j echo $n | grep -qx n=$n"
done

jmap_conf "$PUSH_JMAP_URL"
drive session >"$W/p" 2>&1
check "push endpoint: absolute eventSourceUrl kept" grep -qx "event_source_url=http://127.0.0.1:$PUSH_PORT/eventsource?types={types}&closeafter={closeafter}&ping={ping}" "$W/p"

jmap_conf "http://127.0.0.1:$CYRUS_HTTP_PORT"
sed -i "s/^password = .*/password = wrong/" "$W/conf"
check "wrong password: authentication error (exit 3)" sh -c "'$DRIVE' -c '$W/conf' j session >'$W/bad' 2>&1; [ \$? = 3 ]"
check "... and the password is not in the output or the log" sh -c "! grep -q wrong '$W/bad' && ! grep -q '$PASS1' '$W/tern.log'"

jmap_conf "https://127.0.0.1:$CYRUS_HTTPS_PORT" "ca_file = $CA_FILE"
check "HTTPS verified with ca_file" sh -c "'$DRIVE' -c '$W/conf' j session | grep -q '^api_url=https://'"
jmap_conf "https://127.0.0.1:$CYRUS_HTTPS_PORT" "ca_file = $BAD_CA_FILE"
check "HTTPS with a CA that did not sign the certificate: TLS error" sh -c "'$DRIVE' -c '$W/conf' j session | grep -q 'TLS'"
jmap_conf "https://127.0.0.1:$CYRUS_HTTPS_PORT"
check "HTTPS without ca_file: the system store does not trust the lab" sh -c "'$DRIVE' -c '$W/conf' j session | grep -q 'TLS'"

# Bearer tokens (jmap_auth = bearer, as Fastmail wants): jmap_proxy.py takes
# only "Authorization: Bearer TOKEN" and talks to Cyrus itself.
proxy_start
printf 'tok-123\t%s:%s' "$USER1" "$PASS1" >"$P/bearer"
jmap_conf "$PROXY_URL" "jmap_auth = bearer"
sed -i "s/^password = .*/password = tok-123/" "$W/conf"
check "jmap_auth = bearer: the token is sent as a bearer token, the session and a sync work" sh -c "
  '$DRIVE' -c '$W/conf' j sync >/dev/null && ! grep -q 'auth refused' '$P/log'"
jmap_conf "$PROXY_URL"
sed -i "s/^password = .*/password = tok-123/" "$W/conf"
check "... and basic auth (the default) is refused by that server" sh -c "
  '$DRIVE' -c '$W/conf' j session >/dev/null 2>&1; [ \$? = 3 ] && grep -q 'auth refused: Basic' '$P/log'"

# oauth_token_cmd with jmap_auth = bearer: the token comes from the command; a refused one
# (its first run prints a stale token) makes tern run it once more and log in with the new one.
cat >"$W/jtok.sh" <<EOF
#!/bin/sh
echo run >>"$W/jruns"
if [ "\$(wc -l <"$W/jruns")" = 1 ]; then echo tok-stale; else echo tok-123; fi
EOF
chmod 755 "$W/jtok.sh"
jmap_conf "$PROXY_URL" "jmap_auth = bearer" "oauth_token_cmd = $W/jtok.sh"
sed -i "/^password = /d" "$W/conf"
check "oauth_token_cmd: a refused token is renewed once, and the sync works" tern_ sync --once
check "... the command ran twice" test "$(wc -l <"$W/jruns")" = 2

# Redirect stubs (jmap_proxy.py --redirect) in front of Cyrus.
STUB_PIDS=
trap 'r=$?; kill $PROXY_PID $STUB_PIDS 2>/dev/null; (exit $r); _lab_cleanup' EXIT
stub() {  # NAME TARGET [tls]: starts a stub; STUB is its URL
  d=$W/$1
  mkdir -p "$d"
  if [ "${3:-}" = tls ]; then
    "$LAB_PY" "$TERN_SRCDIR/tests/integration/jmap_proxy.py" --redirect "$2" --dir "$d" \
      --tls "$TERN_LAB/ssl/cert.pem" "$TERN_LAB/ssl/key.pem" >"$d/port" 2>"$d/err" &
    scheme=https
  else
    "$LAB_PY" "$TERN_SRCDIR/tests/integration/jmap_proxy.py" --redirect "$2" --dir "$d" >"$d/port" 2>"$d/err" &
    scheme=http
  fi
  STUB_PIDS="$STUB_PIDS $!"
  wait_for "stub $1" 5 test -s "$d/port"
  STUB=$scheme://127.0.0.1:$(cat "$d/port")
}
stub cross "https://localhost:$CYRUS_HTTPS_PORT/.well-known/jmap"
jmap_conf "$STUB/.well-known/jmap" "ca_file = $CA_FILE"
drive session >"$W/x" 2>&1
check "redirect to another host over https: logged in there" grep -qx "api_url=https://localhost:$CYRUS_HTTPS_PORT/jmap/" "$W/x"
check "... and the move is logged" grep -q "session moved from http://127.0.0.1:.* to https://localhost:$CYRUS_HTTPS_PORT" "$W/tern.log"
stub plain "http://localhost:$CYRUS_HTTP_PORT/.well-known/jmap"
jmap_conf "$STUB/.well-known/jmap"
check "redirect to another host over plain http: no password sent, an authentication error that says so" sh -c "
  '$DRIVE' -c '$W/conf' j session >'$W/y' 2>&1; [ \$? = 3 ] && grep -q 'not sent to another host over plain http' '$W/y'"
stub down "http://127.0.0.1:$CYRUS_HTTP_PORT/.well-known/jmap" tls
jmap_conf "$STUB/.well-known/jmap" "ca_file = $CA_FILE"
check "redirect from https to http: refused" sh -c "'$DRIVE' -c '$W/conf' j session 2>&1 | grep -q 'redirects from https to http://127.0.0.1:$CYRUS_HTTP_PORT/.well-known/jmap: refused'"
check_done
