#pragma once
#include <stdbool.h>
#include <stddef.h>
/* Fill buf with a name like "brave_turing" (attempt > 0 appends a number). */
void random_container_name(char *buf, size_t len, unsigned attempt);
/* Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (no leading '/'). */
bool container_name_valid(const char *name);
