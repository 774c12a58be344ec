# SPDX-License-Identifier: MIT
# Median of each benchmark figure over several boots (make bench, make bench-linux).
#
# usage: awk -v runs=N -f scripts/bench-median.awk run-1.txt ... run-N.txt
#
# Input: "BENCH name=... cycles_per_op=X" lines, one file per boot.  Output:
# each figure once, in the order the first file has them, with the median
# of its cycles_per_op (the mean of the two middle values for an even
# count).  shared_locks_per_kop, a count the run measured and not part of
# the figure's name, is the largest of the runs (the worst case).  Exit
# status 1, with a message on stderr, when a figure is not in every file.
function sort_values(list, length_,    i, j, value) {
	for (i = 2; i <= length_; i++) {
		value = list[i]
		for (j = i - 1; j >= 1 && list[j] > value; j--)
			list[j + 1] = list[j]
		list[j + 1] = value
	}
}
{
	value = $NF
	sub(/^cycles_per_op=/, "", value)
	key = $0
	sub(/ cycles_per_op=[^ ]*$/, "", key)
	locks = ""
	if (match(key, / shared_locks_per_kop=[^ ]*/)) {
		locks = substr(key, RSTART + 22, RLENGTH - 22) + 0
		key = substr(key, 1, RSTART - 1) " shared_locks_per_kop=@" substr(key, RSTART + RLENGTH)
	}
	if (!(key in count))
		order[++keys] = key
	values[key, ++count[key]] = value + 0
	if (locks != "" && (!(key in most_locks) || locks > most_locks[key]))
		most_locks[key] = locks
}
END {
	bad = 0
	for (k = 1; k <= keys; k++) {
		key = order[k]
		n = count[key]
		if (n != runs) {
			printf "bench: %s appears in %d of %d runs\n", key, n, runs > "/dev/stderr"
			bad = 1
		}
		delete list
		for (i = 1; i <= n; i++)
			list[i] = values[key, i]
		sort_values(list, n)
		if (n % 2)
			median = list[(n + 1) / 2]
		else
			median = (list[n / 2] + list[n / 2 + 1]) / 2
		name = key
		if (key in most_locks)
			sub(/@/, sprintf("%.2f", most_locks[key]), name)
		printf "%s cycles_per_op=%.2f\n", name, median
	}
	exit bad
}
