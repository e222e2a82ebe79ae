/* Container names: docker's rule for them, random ones in its "adjective_surname" style. */
#include "names.h"

#include <ctype.h>
#include <stdio.h>
#include <sys/random.h>

static const char *const left[] = {
        "admiring", "brave",   "calm",   "clever",   "dazzling",  "eager",      "elegant",   "festive",
        "focused",  "gallant", "happy",  "jolly",    "keen",      "loving",     "modest",    "nifty",
        "quirky",   "relaxed", "serene", "sharp",    "stoic",     "sweet",      "tender",    "vibrant",
        "wizardly", "zealous", "upbeat", "trusting", "priceless", "optimistic", "nostalgic", "hopeful",
};
static const char *const right[] = {
        "albattani", "babbage", "bardeen",   "bohr",    "curie",   "darwin",   "euclid",   "fermat",
        "galileo",   "hopper",  "hypatia",   "joliot",  "kepler",  "lamarr",   "lovelace", "meitner",
        "newton",    "noether", "pascal",    "ritchie", "shannon", "thompson", "torvalds", "turing",
        "wozniak",   "yalow",   "zhukovsky", "knuth",   "liskov",  "mccarthy", "perlman",  "sammet",
};

void random_container_name(char *buf, size_t len, unsigned attempt)
{
        unsigned r[2] = { 0, 0 };
        if (getrandom(r, sizeof(r), 0) < 0)
                r[0] = r[1] = attempt;
        const char *a = left[r[0] % (sizeof(left) / sizeof(left[0]))];
        const char *b = right[r[1] % (sizeof(right) / sizeof(right[0]))];
        if (attempt == 0)
                snprintf(buf, len, "%s_%s", a, b);
        else
                snprintf(buf, len, "%s_%s%u", a, b, attempt);
}

bool container_name_valid(const char *n)
{
        if (!isalnum((unsigned char) n[0]) || !n[1])
                return false;
        for (const char *p = n + 1; *p; p++)
                if (!isalnum((unsigned char) *p) && *p != '_' && *p != '.' && *p != '-')
                        return false;
        return true;
}
