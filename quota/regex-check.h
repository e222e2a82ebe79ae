/* Bounds on the regular expressions of --disk-quota rules (REGEX=SIZE), checked before regcomp.
 *
 * glibc's regcomp expands every repetition into copies of what it repeats ("E+" is "EE*",
 * "E{m,n}" is m copies plus n-m optional ones), so nested repetitions grow exponentially:
 * a 66-byte pattern of nested "+" takes hundreds of MB and seconds to compile. Client input must
 * not reach it unbounded. The syntax accepted here (a subset of POSIX extended expressions) keeps
 * the compiled size linear in the pattern's length:
 *   - at most QUOTA_REGEX_MAX_LEN bytes;
 *   - at most QUOTA_REGEX_MAX_REPEATS repetition operators (*, +, ?, {m}, {m,}, {m,n});
 *   - no nested repetition: what an operator repeats may not itself contain or be a repetition
 *     ("(a+)+", "(a*b)*", "a**", "a{2}{3}" are refused);
 *   - interval bounds m, n at most QUOTA_REGEX_MAX_INTERVAL, m <= n;
 *   - at most QUOTA_REGEX_MAX_EXPANDED bytes once the repetitions are written out as regcomp does
 *     (E{m,n} as n copies of E, E{m,} as m + 1, E+ as 2, E* and E? as 1): runs of optional
 *     copies make regcomp's epsilon closures quadratic in that size;
 *   - groups nested at most QUOTA_REGEX_MAX_DEPTH deep, balanced parentheses and brackets;
 *   - no back-references (\1 ... \9: matching with them backtracks);
 *   - an operator repeats something (not "*a", "(+a)", "a|*", "^*").
 * Everything else (., [...] with classes, |, ^, $, escapes like \. and \w) is left to regcomp.
 * See docs/quota.md. */
#pragma once

#include <stddef.h>

#define QUOTA_REGEX_MAX_LEN 256
#define QUOTA_REGEX_MAX_REPEATS 16
#define QUOTA_REGEX_MAX_INTERVAL 32
#define QUOTA_REGEX_MAX_DEPTH 8
#define QUOTA_REGEX_MAX_EXPANDED 512

/* 0 when `re` is within the bounds above; else -EINVAL with a message for the end user (naming
 * the limit) in why[size]. */
int quota_regex_check(const char *re, char *why, size_t size);
