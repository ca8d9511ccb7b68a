# Finds a JDK 25 or newer. Source this file, then: java_bin="$(find_java25)" || exit 1
# Looks at JAVA_HOME, then the JDKs under /usr/lib/jvm and /opt, then `java` on PATH.

java_feature_version() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

find_java25() {
  local candidates=() c v seen=""
  [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME/bin/java")
  for c in /usr/lib/jvm/*/bin/java /opt/*/bin/java /opt/java/*/bin/java; do
    [[ -x "$c" ]] && candidates+=("$c")
  done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for c in "${candidates[@]}"; do
    [[ -x "$c" ]] || continue
    v="$(java_feature_version "$c")"
    seen+=" $c (${v:-unknown})"
    if [[ -n "$v" && "$v" -ge 25 ]]; then
      echo "$c"
      return 0
    fi
  done
  echo "spillway: needs a JDK 25 or newer and found none.${seen:+ Found:$seen.}" >&2
  echo "spillway: install one (for example Eclipse Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
