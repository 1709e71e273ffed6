#!/usr/bin/env bash
# Builds the .deb and .tar.gz with CPack, unpacks the .deb into a scratch root and the .tar.gz into
# another folder, runs the installed programs from there (they must find their presets and data
# relative to themselves), and checks that lintian reports no error on the .deb.
set -euo pipefail
build_dir="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$build_dir"
cpack -G "DEB;TGZ" > "$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; exit 1; }
deb=$(ls -1t phinet-workbench_*.deb | head -n1)
tgz=$(ls -1t phinet-workbench-*.tar.gz | head -n1)
echo "built $deb and $tgz"

echo "== Depends"
dpkg-deb -f "$deb" Depends
for dep in libtorch libqt6widgets6 libqcustomplot libspdlog libopenblas0-pthread qt6-qpa-plugins; do
  dpkg-deb -f "$deb" Depends | grep -q "$dep" || { echo "FAIL: Depends lacks $dep"; exit 1; }
done

echo "== contents"
dpkg-deb -c "$deb" | awk '{print $6}' > "$work/files"
for f in ./usr/bin/phinet ./usr/bin/phinet-workbench ./usr/share/phinet-workbench/presets/quick.json ./usr/lib/phinet-workbench/fetch-data \
         ./usr/share/phinet-workbench/data/mnist-subset/train-images-idx3-ubyte.gz \
         ./usr/share/applications/phinet-workbench.desktop ./usr/share/metainfo/io.github.phinet_workbench.metainfo.xml \
         ./usr/share/icons/hicolor/48x48/apps/phinet-workbench.png ./usr/share/man/man1/phinet.1.gz \
         ./usr/share/doc/phinet-workbench/copyright; do
  grep -qx "$f" "$work/files" || { echo "FAIL: $f missing from the .deb"; exit 1; }
done

echo "== scratch root"
dpkg-deb -x "$deb" "$work/root"
export PHINET_DATA_HOME="$work/home"
"$work/root/usr/bin/phinet" --version
"$work/root/usr/bin/phinet" model --input 1,28,28 --variant modified --json | grep -q '"params":4406691' || { echo "FAIL: phinet model"; exit 1; }
env -u DISPLAY -u QT_QPA_PLATFORM "$work/root/usr/bin/phinet-workbench" --version
# the translations travel inside the program
env -u DISPLAY -u QT_QPA_PLATFORM "$work/root/usr/bin/phinet-workbench" --languages | tee "$work/languages"
grep -qP '^it\tItaliano\tok\tBanco di lavoro' "$work/languages" || { echo "FAIL: the installed workbench lacks its Italian translation"; exit 1; }
# the installed workbench runs the quick preset offscreen, from its own presets and bundled data
XDG_CONFIG_HOME="$work/home/config" QT_QPA_PLATFORM=offscreen timeout 600 "$work/root/usr/bin/phinet-workbench" \
  --run quick --screenshots "$work/shots" > "$work/workbench.log" 2>&1 || { cat "$work/workbench.log"; echo "FAIL: installed workbench run"; exit 1; }
for f in run.png data.png runs.png; do
  [[ -s "$work/shots/$f" ]] || { echo "FAIL: the installed workbench did not produce $f"; exit 1; }
done
"$work/root/usr/bin/phinet" runs presets | grep -q '^quick ' || { echo "FAIL: installed phinet does not find its presets"; exit 1; }
"$work/root/usr/bin/phinet" train --epochs 1 --limit-train 128 --limit-test 64 --alpha 0.5 --layers 4 --batch-size 64 \
  --out "$work/t.ckpt" > /dev/null 2>&1 || { echo "FAIL: installed phinet cannot train on its bundled data"; exit 1; }
desktop-file-validate "$work/root/usr/share/applications/phinet-workbench.desktop" || { echo "FAIL: desktop entry"; exit 1; }

echo "== relocatable tar.gz"
mkdir -p "$work/tgz/somewhere/else"
tar xzf "$tgz" -C "$work/tgz/somewhere/else"
bin=$(find "$work/tgz" -path '*/bin/phinet' -type f | head -n1)
"$bin" runs presets | grep -q '^quick ' || { echo "FAIL: the tar.gz's phinet does not find its presets"; exit 1; }

echo "== lintian"
lintian --no-tag-display-limit "$deb" > "$work/lintian.log" 2>&1 || true
cat "$work/lintian.log"
if grep -q '^E:' "$work/lintian.log"; then echo "FAIL: lintian reports errors"; exit 1; fi
echo "packages OK"
