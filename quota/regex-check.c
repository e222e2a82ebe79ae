/* Bounds on --disk-quota regular expressions, checked before they reach regcomp: see
 * quota/regex-check.h. One pass over the pattern, no allocation. */
#include "quota/regex-check.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* What the last item was, for the operator that may follow it. */
enum prev {
        PREV_NOTHING,   /* start, "(", "|", "^", "$": nothing to repeat */
        PREV_ATOM,      /* a character, ".", "[...]", an escape, a group without repetition */
        PREV_REPEATING, /* an operator, or a group that holds one: repeating it would nest */
};

struct scan {
        const char *re;
        size_t i;
        unsigned repeats;
        size_t expanded; /* the pattern's length with its repetitions written out */
        unsigned depth;
        bool group_repeats[QUOTA_REGEX_MAX_DEPTH + 1]; /* whether the open group holds an operator */
        size_t group_start[QUOTA_REGEX_MAX_DEPTH + 1]; /* where the open group's "(" is */
        enum prev prev;
        size_t prev_start; /* where the last atom starts */
        char *why;
        size_t size;
};

static int refuse(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct scan *s, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(s->why, s->size, fmt, ap);
        va_end(ap);
        return -EINVAL;
}

/* s->i at "[": move past the closing "]" ("[]a]", "[^]a]", "[[:alpha:]]" as POSIX has them). */
static int skip_bracket(struct scan *s)
{
        const char *re = s->re;
        size_t j = s->i + 1;
        if (re[j] == '^')
                j++;
        if (re[j] == ']')
                j++;
        while (re[j] && re[j] != ']') {
                if (re[j] == '[' && (re[j + 1] == ':' || re[j + 1] == '.' || re[j + 1] == '=')) {
                        char close[3] = { re[j + 1], ']', '\0' };
                        const char *end = strstr(re + j + 2, close);
                        if (!end)
                                return refuse(s, "unterminated [%c in a bracket expression", re[j + 1]);
                        j = (size_t) (end - re) + 2;
                } else
                        j++;
        }
        if (!re[j])
                return refuse(s, "unterminated bracket expression '['");
        s->i = j + 1;
        return 0;
}

/* At most QUOTA_REGEX_MAX_INTERVAL, so three digits are enough to tell. */
static int read_bound(struct scan *s, unsigned *ret)
{
        const char *re = s->re;
        if (!isdigit((unsigned char) re[s->i]))
                return refuse(s, "invalid interval: {m}, {m,} or {m,n} with numbers");
        unsigned v = 0;
        size_t digits = 0;
        for (; isdigit((unsigned char) re[s->i]); s->i++)
                if (++digits <= 3)
                        v = v * 10 + (unsigned) (re[s->i] - '0');
        if (digits > 3 || v > QUOTA_REGEX_MAX_INTERVAL)
                return refuse(s, "a repetition count in {m,n} is at most %d", QUOTA_REGEX_MAX_INTERVAL);
        *ret = v;
        return 0;
}

/* s->i at "{": check "{m}", "{m,}" or "{m,n}", move past it, and tell how many copies of the
 * atom regcomp makes (n; m + 1 for "{m,}": m copies and a starred one). */
static int skip_interval(struct scan *s, unsigned *ret_copies)
{
        unsigned m, n;
        s->i++;
        int r = read_bound(s, &m);
        if (r < 0)
                return r;
        n = m;
        if (s->re[s->i] == ',') {
                s->i++;
                if (s->re[s->i] != '}' && (r = read_bound(s, &n)) < 0)
                        return r;
        }
        if (s->re[s->i] != '}')
                return refuse(s, "invalid interval: {m}, {m,} or {m,n} with numbers");
        if (s->re[s->i - 1] == ',')
                n = m + 1;
        else if (n < m)
                return refuse(s, "invalid interval {%u,%u}: the maximum is below the minimum", m, n);
        s->i++;
        *ret_copies = n;
        return 0;
}

static int repetition(struct scan *s)
{
        if (s->prev == PREV_NOTHING)
                return refuse(s, "a repetition operator ('%c') with nothing to repeat", s->re[s->i]);
        if (s->prev == PREV_REPEATING)
                return refuse(s, "nested repetition ('%c' repeats a repetition) is not allowed", s->re[s->i]);
        if (++s->repeats > QUOTA_REGEX_MAX_REPEATS)
                return refuse(s, "at most %d repetition operators (*, +, ?, {m,n}) are allowed",
                              QUOTA_REGEX_MAX_REPEATS);
        size_t atom = s->i - s->prev_start;
        unsigned copies = s->re[s->i] == '+' ? 2 : 1; /* "E+" is "EE*" */
        if (s->re[s->i] == '{') {
                int r = skip_interval(s, &copies);
                if (r < 0)
                        return r;
        } else
                s->i++;
        /* no nesting: the copies of each repeated atom simply add up */
        if (copies > 1)
                s->expanded += (copies - 1) * atom;
        if (s->expanded > QUOTA_REGEX_MAX_EXPANDED)
                return refuse(s,
                              "the pattern with its repetitions written out (E{m,n} as n copies of E, E+ as "
                              "two) is at most %d bytes long",
                              QUOTA_REGEX_MAX_EXPANDED);
        s->group_repeats[s->depth] = true;
        s->prev = PREV_REPEATING;
        return 0;
}

static int step(struct scan *s)
{
        const char *re = s->re;
        if (re[s->i] != ')' && !strchr("*+?{", re[s->i]))
                s->prev_start = s->i;
        switch (re[s->i]) {
        case '\\':
                if (!re[s->i + 1])
                        return refuse(s, "a trailing backslash");
                if (isdigit((unsigned char) re[s->i + 1]))
                        return refuse(s, "back-references (\\%c) are not allowed", re[s->i + 1]);
                s->i += 2;
                s->prev = PREV_ATOM;
                return 0;
        case '[':
                s->prev = PREV_ATOM;
                return skip_bracket(s);
        case '(':
                if (s->depth >= QUOTA_REGEX_MAX_DEPTH)
                        return refuse(s, "groups may be nested at most %d deep", QUOTA_REGEX_MAX_DEPTH);
                s->group_repeats[++s->depth] = false;
                s->group_start[s->depth] = s->i;
                s->prev = PREV_NOTHING;
                break;
        case ')':
                if (s->depth == 0)
                        return refuse(s, "unbalanced parenthesis ')'");
                s->prev_start = s->group_start[s->depth--];
                s->prev = s->group_repeats[s->depth + 1] ? PREV_REPEATING : PREV_ATOM;
                if (s->prev == PREV_REPEATING)
                        s->group_repeats[s->depth] = true;
                break;
        case '|':
        case '^':
        case '$':
                s->prev = PREV_NOTHING;
                break;
        case '*':
        case '+':
        case '?':
        case '{':
                return repetition(s);
        default:
                s->prev = PREV_ATOM;
                break;
        }
        s->i++;
        return 0;
}

int quota_regex_check(const char *re, char *why, size_t size)
{
        struct scan s = { .re = re, .why = why, .size = size, .prev = PREV_NOTHING };
        s.expanded = strnlen(re, QUOTA_REGEX_MAX_LEN + 1);
        if (s.expanded > QUOTA_REGEX_MAX_LEN)
                return refuse(&s, "a regular expression is at most %d bytes long", QUOTA_REGEX_MAX_LEN);
        while (re[s.i]) {
                int r = step(&s);
                if (r < 0)
                        return r;
        }
        if (s.depth > 0)
                return refuse(&s, "unbalanced parenthesis '('");
        return 0;
}
