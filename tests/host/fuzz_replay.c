// SPDX-License-Identifier: MIT
/*
 * fuzz_replay.c: run a fuzz target's committed corpus once, without libFuzzer.
 *
 * Linked with one tests/host/fuzz_<name>.c (which defines
 * LLVMFuzzerTestOneInput) and the code it tests, built by the host gcc
 * with AddressSanitizer and UBSan, so `make test` checks every committed
 * input with the target's own checks and needs no clang.  Each input is
 * copied into a buffer of exactly its size, as libFuzzer does, so a read
 * one byte past the end is caught.  No mutation: the same inputs, every run.
 *
 * usage: fuzz-replay-<name> DIR-OR-FILE...
 * Prints "replayed N inputs" and exits 0 when every input passed; exits 1
 * if there was nothing to replay or a file could not be read.  A failed
 * check (__builtin_trap) or a sanitizer report names the input first and
 * ends the process with the signal or the sanitizer's status.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sanitizer/common_interface_defs.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *current_input;

static void name_the_input(void)
{
	static const char prefix[] = "fuzz-replay: this input failed: ";

	/* Only async-signal-safe calls: this also runs from a signal handler. */
	if (!current_input)
		return;
	(void)!write(2, prefix, sizeof(prefix) - 1);
	(void)!write(2, current_input, strlen(current_input));
	(void)!write(2, "\n", 1);
}

static void on_fatal_signal(int signal_number)
{
	name_the_input();
	signal(signal_number, SIG_DFL);
	raise(signal_number);
}

/* Feed one file to the target. Return: 0, or -1 if it could not be read. */
static int replay_file(const char *path)
{
	FILE *file = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (!file) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0) {
		fprintf(stderr, "fuzz-replay: %s: cannot find its size\n", path);
		fclose(file);
		return -1;
	}
	data = malloc(size ? (size_t)size : 1);
	if (!data || fread(data, 1, (size_t)size, file) != (size_t)size) {
		fprintf(stderr, "fuzz-replay: %s: read failed\n", path);
		free(data);
		fclose(file);
		return -1;
	}
	fclose(file);
	current_input = path;
	LLVMFuzzerTestOneInput(data, (size_t)size);
	current_input = NULL;
	free(data);
	return 0;
}

static int skip_hidden(const struct dirent *entry)
{
	return entry->d_name[0] != '.';
}

/* Replay every file in @dir, in name order. Return: inputs replayed, or -1. */
static long replay_dir(const char *dir)
{
	struct dirent **entries;
	long replayed = 0;
	int count = scandir(dir, &entries, skip_hidden, alphasort);

	if (count < 0) {
		fprintf(stderr, "fuzz-replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < count; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
		if (replayed >= 0 && replay_file(path) == 0)
			replayed++;
		else
			replayed = -1;
		free(entries[i]);
	}
	free(entries);
	return replayed;
}

int main(int argc, char **argv)
{
	long total = 0;

	__sanitizer_set_death_callback(name_the_input);
	signal(SIGILL, on_fatal_signal);
	signal(SIGTRAP, on_fatal_signal);
	signal(SIGABRT, on_fatal_signal);
	signal(SIGFPE, on_fatal_signal);
	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		long replayed;

		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "fuzz-replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		replayed = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) == 0 ? 1 : -1;
		if (replayed < 0)
			return 1;
		total += replayed;
	}
	if (total == 0) {
		fprintf(stderr, "fuzz-replay: no inputs to replay\n");
		return 1;
	}
	printf("replayed %ld inputs\n", total);
	return 0;
}
