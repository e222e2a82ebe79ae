/* What a struct pouchd owns once its stores are set up, and how it is released: shared by pouchd's
 * main() and the in-process API harness of the tests, so neither frees the state its own way. */
#pragma once

#include "pouchd.h"

/* Free the container and exec records, the stores, the event bus, the runtime, the paths and the
 * configuration. The threads that use them (monitor, health watcher, HTTP servers) must be stopped
 * first, and d is not used afterwards. Leaves d's lock, condition and lock file alone. */
void pouchd_state_done(struct pouchd *d);
