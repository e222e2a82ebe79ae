#pragma once
#include <stddef.h>
/* Fill buf with a name like "brave_turing" (attempt > 0 appends a number). */
void random_container_name(char *buf, size_t len, unsigned attempt);
