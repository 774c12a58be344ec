/* SPDX-License-Identifier: MIT */
/* crash_on_cpu=N: a crash on a CPU other than the boot CPU, on purpose (kernel/crash_test.c). */
#ifndef FERRITE_CRASH_TEST_H
#define FERRITE_CRASH_TEST_H

/*
 * crash_test_run - if @value (crash_on_cpu=) names an online CPU other than
 * 0, make it panic; bad values are reported and ignored.
 * Context: boot CPU, after smp_init(), interrupts on.
 * Return: only if @value is NULL or bad, or the crash never came.
 */
void crash_test_run(const char *value);

#endif /* FERRITE_CRASH_TEST_H */
