#!/usr/bin/env bash
# Runs the Jenkins library's tests (tests/groovy/test/*Test.groovy) on Debian's Groovy 2.4
# and JUnit 4: compiles src/ + the harness + the tests with groovyc, runs them with JUnitCore.
# Prints "N passed, N failed" last; exits non-zero when a test fails.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
  java_bin="$(readlink -f "$(command -v java)")"
  export JAVA_HOME="$(dirname "$(dirname "$java_bin")")"
fi

jar() { # first existing jar among the arguments
  for candidate in "$@"; do
    if [[ -f "$candidate" ]]; then echo "$candidate"; return 0; fi
  done
  echo "run.sh: none of $* found (apt-get install groovy junit4 libyaml-snake-java)" >&2
  return 1
}
groovy_jar="$(jar /usr/share/java/groovy-all.jar /usr/share/groovy/lib/groovy-all.jar)"
junit_jar="$(jar /usr/share/java/junit4.jar)"
hamcrest_jar="$(jar /usr/share/java/hamcrest-core.jar /usr/share/java/hamcrest.jar)"
snake_jar="$(jar /usr/share/java/snakeyaml.jar)"
classpath="$groovy_jar:$junit_jar:$hamcrest_jar:$snake_jar"

build="$here/build"
rm -rf "$build"
mkdir -p "$build/classes"

mapfile -t sources < <(find "$here/stubs" "$root/src" "$here/harness" "$here/test" -name '*.groovy' | sort)
groovyc -cp "$classpath" -d "$build/classes" "${sources[@]}"

mapfile -t tests < <(cd "$here/test" && find . -name '*Test.groovy' | sed -e 's|^\./||' -e 's|\.groovy$||' -e 's|/|.|g' | sort)
mapfile -t tests < <(for t in "${tests[@]}"; do echo "mlsecops.test.${t##*.}"; done)

cd "$root"
exec "$JAVA_HOME/bin/java" -Dmlsecops.root="$root" -cp "$build/classes:$classpath" \
  mlsecops.harness.RunTests "${tests[@]}"
