# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# fleet-report.sh - kpatch-fleet's results: one JSON object per fix and
# kernel, one part per kernel (parts/RELEASE.json), and the report
# (report.json, report.md) merged from the parts. JSON is written by jq
# only (escaping is its job).
#
#   fleet_result_json NAME ID VERDICT REASON SECONDS FUNCTION...   one fix on one kernel
#   fleet_part_json INDEX KIND RELEASE ... FIXESJSON RESULT...     a kernel's part
#   fleet_merge_json PART...                                       report.json's text
#   fleet_report_md REPORTJSON                                     report.md's text
#   fleet_report_status REPORTJSON                                 status 1: refused/error/no module
#   fleet_part_status PARTJSON                                     the same for one part

# fleet_result_json NAME ID VERDICT REASON SECONDS FUNCTION...: the
# result of one fix on one kernel.
fleet_result_json() {
	local name="$1" id="$2" verdict="$3" reason="$4" seconds="$5"
	shift 5
	printf '%s\n' "$@" | jq -R . | jq -s -c \
		--arg name "$name" --arg id "$id" --arg verdict "$verdict" --arg reason "$reason" \
		--argjson seconds "$seconds" \
		'{name: $name, id: $id, verdict: $verdict, reason: $reason,
		  functions: map(select(. != "")), seconds: $seconds}'
}

# fleet_part_json INDEX KIND RELEASE SOURCE_VERSION MODULE DEB
# MODULE_VERSION MODULE_REASON SECONDS FIXESJSON RESULTFILE...: a kernel's
# part: its index in the run's kernel list (merge order), the run's fixes
# and this kernel's record.
fleet_part_json() {
	local index="$1" kind="$2" release="$3" srcver="$4" module="$5" deb="$6"
	local modver="$7" modreason="$8" seconds="$9" fixes="${10}"
	shift 10
	cat "$@" </dev/null | jq -s -c \
		--argjson index "$index" --arg kind "$kind" --arg release "$release" \
		--arg srcver "$srcver" --arg mod "$module" --arg deb "$deb" \
		--arg modver "$modver" --arg modreason "$modreason" --argjson seconds "$seconds" \
		--slurpfile fixes "$fixes" \
		'{index: $index, fixes: $fixes[0],
		  kernel: {release: $release, kind: $kind,
			   source_version: (if $srcver == "" then null else $srcver end),
			   "module": (if $mod == "" then null else $mod end),
			   deb: (if $deb == "" then null else $deb end),
			   module_version: (if $modver == "" then null else $modver end),
			   module_reason: $modreason, seconds: $seconds, fixes: .}}'
}

# fleet_merge_json PART...: the report of every part, kernels in the
# run's order.
fleet_merge_json() {
	jq -s '{fixes: (.[0].fixes // []),
		kernels: (sort_by(.index) | map(.kernel))}' "$@"
}

# fleet_report_md REPORTJSON: the fixes x kernels matrix, the modules,
# and each verdict's reason.
fleet_report_md() {
	jq -r '
	def cell: if . == null then "-" else .verdict +
		(if .verdict == "livepatched" then " (" + (.functions | length | tostring) + ")" else "" end) end;
	def esc: gsub("\\|"; "\\|") | gsub("\n"; " ");
	. as $r |
	"# kpatch-fleet report",
	"",
	"| fix | " + ([$r.kernels[] | .release + (if .source_version then " (" + .source_version + ")" else "" end)] | join(" | ")) + " |",
	"|---|" + ([$r.kernels[] | "---"] | join("|")) + "|",
	($r.fixes[] as $f |
		"| " + ($f.name | esc) + " | " +
		([$r.kernels[] | ([.fixes[] | select(.id == $f.id)][0] | cell)] | join(" | ")) + " |"),
	"",
	"livepatched (N): N changed or new functions.",
	"",
	"## Modules",
	"",
	($r.kernels[] | "- " + .release + ": " +
		(if .module then .module + (if .deb then ", " + .deb else "" end) +
			" (version " + (.module_version // "-") + ")"
		 else "no module" + (if .module_reason != "" then ": " + (.module_reason | esc) else "" end) end)),
	"",
	"## Details",
	"",
	($r.kernels[] | "### " + .release, "",
		(.fixes[] | "- " + (.name | esc) + ": **" + .verdict + "**" +
			(if (.functions | length) > 0 then " " + (.functions | join(", ")) else "" end) +
			(if .reason != "" then ": " + (.reason | esc) else "" end)),
		"")
	' "$1"
}

# fleet_part_status PARTJSON: the same for one kernel's part.
fleet_part_status() {
	jq -e '[.kernel | (.fixes[] | select(.verdict == "refused" or .verdict == "error")),
		select(.module == null and .module_reason != "")] | length == 0' "$1" >/dev/null
}

# fleet_report_status REPORTJSON: status 1 when a fix was refused or
# errored, or a kernel with livepatched fixes got no module.
fleet_report_status() {
	jq -e '[.kernels[] | (.fixes[] | select(.verdict == "refused" or .verdict == "error")),
		select(.module == null and .module_reason != "")] | length == 0' "$1" >/dev/null
}
