# SPDX-License-Identifier: MIT
# Check one run's KTAP output against the suite manifest (scripts/test.sh).
#
# usage: awk -v run=host|kernel -v selection=GLOB-LIST -v extra=0|1 \
#            [-v backend=NAME] -f scripts/check-ktap.awk tests/ktest.manifest LOG
#
# Prints "PASSED FAILED" (from the summary line), then one line per
# problem found; no further line means the run is complete:
#   - the summary "N passed, N failed" is there and agrees with the
#     "ok" / "not ok" case lines;
#   - the runner's "# ktest built in: ...; selected: S suites, C cases" line is there
#     and S suites with C cases in all reported;
#   - every suite the manifest lists for this run (host or kernel, and the
#     run's slab back-end) and the selection (ktest= syntax:
#     "*,-vmap_area") keeps ran, with exactly the manifest's cases, and
#     nothing else ran;
#   - the run names its slab back-end ("slab: back-end NAME", printed by
#     the kernel at boot and by the host runner) and, with -v backend=NAME,
#     it is that one.
# extra=1 (make test EXTRA_KTESTS=...) lets suites missing from the
# manifest run.
#
# Manifest lines: "<suite> <host|kernel|both>[@BACKEND] <case> <case>...";
# a suite marked @BACKEND is built only with that slab back-end
# (mm/slab_backends.mk), so it must run exactly in the runs that used it.
# '#' starts a comment.

function problem(text) {
	problems[++problem_count] = text
}

# ktest='s glob-list selection: a plain pattern that matches, no '-' one that does.
function glob_regex(pattern) {
	gsub(/\*/, ".*", pattern)
	gsub(/\?/, ".", pattern)
	return "^" pattern "$"
}

function selected(name,    parts, n, i, included, excluded) {
	if (selection == "")
		return 1
	n = split(selection, parts, ",")
	for (i = 1; i <= n; i++) {
		if (substr(parts[i], 1, 1) == "-") {
			if (name ~ glob_regex(substr(parts[i], 2)))
				excluded = 1
		} else if (name ~ glob_regex(parts[i])) {
			included = 1
		}
	}
	return included && !excluded
}

BEGIN {
	manifest_name = ARGV[1]
	if (run != "host" && run != "kernel") {
		print "0 0"
		print "check-ktap.awk: run must be host or kernel"
		exit 2
	}
}

# Serial logs end their lines with CR LF.
{
	sub(/\r$/, "")
}

# ---- the manifest ----------------------------------------------------------
FNR == NR {
	sub(/#.*/, "")
	if (NF == 0)
		next
	place = $2
	only_with = ""
	if (split($2, parts, "@") == 2) {
		place = parts[1]
		only_with = parts[2]
	}
	if (NF < 3 || (place != "host" && place != "kernel" && place != "both") ||
	    (index($2, "@") && only_with !~ /^[a-z0-9_]+$/)) {
		problem(manifest_name ":" FNR ": expected \"<suite> <host|kernel|both>[@BACKEND] <case>...\"")
		next
	}
	if ($1 in manifest_where) {
		problem(manifest_name ":" FNR ": suite " $1 " listed twice")
		next
	}
	manifest_where[$1] = place
	manifest_backend[$1] = only_with
	manifest_order[++manifest_count] = $1
	for (i = 3; i <= NF; i++) {
		if (($1, $i) in manifest_case)
			problem(manifest_name ":" FNR ": " $1 ": case " $i " listed twice")
		manifest_case[$1, $i] = 1
		manifest_cases[$1] = manifest_cases[$1] " " $i
	}
	next
}

# ---- the run's KTAP --------------------------------------------------------
!log_backend && /slab: back-end [a-z0-9_]+/ {
	log_backend = substr($0, index($0, "slab: back-end ") + 15)
	sub(/[^a-z0-9_].*/, "", log_backend)
}

/^# ktest built in: [0-9]+ suites, [0-9]+ cases; selected: [0-9]+ suites, [0-9]+ cases/ {
	announced = 1
	announced_suites = $10
	announced_cases = $12
	next
}

/^    # Subtest: / {
	suite = substr($0, 16)
	sub(/[ \t]+$/, "", suite)
	if (suite in ran_suite)
		problem("suite " suite " ran twice")
	ran_suite[suite] = 1
	ran_order[++ran_count] = suite
	last_case = ""
	next
}

/^    (not )?ok [0-9]+ / {
	name = ($1 == "not") ? $4 : $3
	if (suite == "") {
		problem("case " name " outside any suite")
		next
	}
	ran_case[suite, name] = 1
	ran_cases[suite] = ran_cases[suite] " " name
	case_lines++
	last_case = name
	if ($1 == "not")
		not_ok_lines++
	else if ($0 !~ /#/)
		ok_lines++
	next
}

/^(not )?ok [0-9]+ / {
	suite_results++
	next
}

/^[0-9]+ passed, [0-9]+ failed/ {
	summary = 1
	passed = $1
	failed = $3
}

END {
	if (run != "host" && run != "kernel")
		exit 2
	printf "%d %d\n", passed, failed
	if (!summary) {
		where = suite == "" ? "before the first suite" : \
			"in suite " suite (last_case == "" ? " before its first case" : " after case " last_case)
		problem("no KTAP summary line: the output stops " where)
	} else if (ok_lines != passed || not_ok_lines != failed) {
		problem("summary \"" passed " passed, " failed " failed\" disagrees with " \
			ok_lines " ok and " not_ok_lines " not ok lines")
	}
	if (!announced) {
		problem("no \"# ktest built in: ...; selected: ...\" line from the runner")
	} else if (summary) {
		if (suite_results != announced_suites)
			problem("the runner selected " announced_suites " suites but " suite_results " reported")
		if (case_lines != announced_cases)
			problem("the runner selected " announced_cases " cases but " case_lines " reported")
	}

	# The slab back-end this run used.
	run_backend = log_backend != "" ? log_backend : backend
	if (backend != "" && log_backend != "" && log_backend != backend)
		problem("the run used slab back-end " log_backend ", scripts/test.sh built it for " backend)
	else if (log_backend == "" && summary)
		problem("the run did not name its slab back-end (no \"slab: back-end NAME\" line)")

	# What the manifest expects of this run and did not happen.
	for (m = 1; m <= manifest_count; m++) {
		name = manifest_order[m]
		where = manifest_where[name]
		if ((where != "both" && where != run) || !selected(name))
			continue
		if (manifest_backend[name] != "" && manifest_backend[name] != run_backend)
			continue
		if (!(name in ran_suite)) {
			if (summary)
				problem("suite " name " did not run (is its file still built in? " \
					"it is in " manifest_name ")")
			continue
		}
		n = split(manifest_cases[name], cases, " ")
		for (i = 1; i <= n; i++)
			if (!((name, cases[i]) in ran_case) && summary)
				problem(name ": case " cases[i] " did not run (still in its case table? " \
					"it is in " manifest_name ")")
	}
	# What ran and the manifest does not know.
	for (r = 1; r <= ran_count; r++) {
		name = ran_order[r]
		if (!(name in manifest_where)) {
			if (extra == 1)
				continue
			problem("suite " name " ran but is not in " manifest_name ": add the line \"" \
				name " " run ran_cases[name] "\"")
			continue
		}
		where = manifest_where[name]
		if (where != "both" && where != run)
			problem("suite " name " ran on the " run " but " manifest_name " says " where \
				": make it both")
		else if (!selected(name))
			problem("suite " name " ran although the selection \"" selection "\" excludes it")
		else if (manifest_backend[name] != "" && manifest_backend[name] != run_backend)
			problem("suite " name " ran with slab back-end " run_backend " but " manifest_name \
				" says " where "@" manifest_backend[name])
		n = split(ran_cases[name], cases, " ")
		for (i = 1; i <= n; i++)
			if (!((name, cases[i]) in manifest_case))
				problem(name ": case " cases[i] " ran but is not in " manifest_name \
					": add it to the line of " name)
	}
	for (p = 1; p <= problem_count; p++)
		print problems[p]
}
