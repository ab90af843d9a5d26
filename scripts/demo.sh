#!/usr/bin/env bash
# The main job on bundled sample data: load the sample lists, screen a few
# names and addresses, screen every shipment of the sample supply package
# under the UFLPA policy, verify the audit trail and write a PDF dossier for a
# detained shipment. Everything goes to out/demo/ (a fresh store each run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

OUT=${OUT:-out/demo}
rm -rf "$OUT"
mkdir -p "$OUT"
export FLSCREEN_HOME="$PWD/$OUT/home"
unset FLSCREEN_DB_URL
FL=.venv/bin/flscreen
S=src/flscreen/resources/sample

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. Import the bundled screening lists (UFLPA Entity List page, OFAC SDN CSV, an importer's own CSV)"
$FL lists import "$S/lists/uflpa_entity_list.html" --list uflpa
$FL lists import "$S/lists/ofac_sdn" --list ofac-sdn
$FL lists import "$S/lists/my_watchlist.csv" --list my-watchlist
$FL lists show

step "2. Screen supplier names in any script (why each hit matched)"
$FL match --name "新疆中泰化学股份有限公司"
$FL match --name "HOSHINE SILICON IND. (SHANSHAN) CO LTD"
$FL match --name "Zhongtai Securities Co., Ltd."

step "3. Is it in Xinjiang? (the trap: Urumqi Road is in Shanghai)"
$FL locate --address "新疆生产建设兵团第八师一四三团"
$FL locate --address "No. 5 Urumqi North Road, Jing'an District, Shanghai"

step "4. Screen every shipment of the sample supply package under the UFLPA policy"
$FL screen "$S/supply" --policy uflpa --output "$OUT/verdicts.jsonl"

step "5. Verify the tamper-evident audit trail"
$FL audit verify

step "6. Write the evidence dossier of a detained shipment"
shipment=$(.venv/bin/python - "$OUT/verdicts.jsonl" <<'PY'
import json, sys
rank = {"exclude": 0, "detain": 1, "review": 2, "clear": 3}
rows = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
rows.sort(key=lambda r: (rank.get(r["verdict"], 9), r["shipment"]))
print(rows[0]["shipment"])
PY
)
$FL dossier "$shipment" --format pdf --output "$OUT/dossier-$shipment.pdf"
$FL dossier "$shipment" --format html --output "$OUT/dossier-$shipment.html"
echo
echo "Verdicts:  $OUT/verdicts.jsonl"
echo "Dossier:   $OUT/dossier-$shipment.pdf (and .html)"
echo "Store:     $FLSCREEN_HOME/flscreen.db"
