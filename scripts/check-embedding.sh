#!/usr/bin/env bash
# Checks README.md's "Using it" as a new user follows it: runs its install command in this
# repository, then builds a throwaway application in a temporary directory from the README's Maven
# snippet and Java example, and runs it on the class path and, with the README's module-info.java,
# on the module path, asserting what it prints. The blocks are taken from the README itself (each
# follows a "checked by .ci/run (scripts/check-embedding.sh): NAME" comment), so the two cannot drift.
# Maven options (a -Dmaven.repo.local=... for an empty repository) come from MAVEN_OPTS as usual.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# The fenced block after the README's marker NAME.
block() {
  awk -v name="$1" '
    $0 ~ "checked by .ci/run \\(scripts/check-embedding.sh\\): " name " -->" { found = 1; next }
    found == 1 && /^```/ { found = 2; next }
    found == 2 && /^```/ { exit }
    found == 2 { print }
  ' "$ROOT/README.md"
}
for name in install maven example module-info; do
  if [ -z "$(block "$name")" ]; then
    echo "check-embedding: README.md has no block marked '$name'" >&2
    exit 1
  fi
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "check-embedding: the README's install command: $(block install)"
bash -euo pipefail -c "$(block install)"

# One application, laid out twice: on the class path, and as the module com.example.
app() {
  local dir=$1
  mkdir -p "$dir/src/main/java/com/example"
  {
    cat <<'POM'
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>example</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.14.0</version>
      </plugin>
    </plugins>
  </build>
POM
    block maven
    echo '</project>'
  } > "$dir/pom.xml"
  block example > "$dir/src/main/java/com/example/Example.java"
}

build() {
  (cd "$1" && mvn -B -q package org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.outputFile=target/classpath.txt)
}

expect() {
  local how=$1 out=$2
  if ! grep -qx "acme's ceo: Bob" <<<"$out" || ! grep -q '^because trust\[hr > crm\]: crm said "Bob"' <<<"$out"; then
    echo "check-embedding: on the $how, the README example printed:" >&2
    echo "$out" >&2
    exit 1
  fi
  echo "check-embedding: on the $how, the README example printed what the README says"
}

app "$WORK/classpath"
build "$WORK/classpath"
out=$(cd "$WORK/classpath" && java -cp "target/classes:$(cat target/classpath.txt)" com.example.Example)
expect "class path" "$out"

app "$WORK/modulepath"
block module-info > "$WORK/modulepath/src/main/java/module-info.java"
build "$WORK/modulepath"
test -f "$WORK/modulepath/target/classes/module-info.class"
out=$(cd "$WORK/modulepath" && java -p "target/classes:$(cat target/classpath.txt)" -m com.example/com.example.Example)
expect "module path" "$out"
