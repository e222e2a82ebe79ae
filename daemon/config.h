#pragma once
#include "pouchd.h"
/* Defaults, then the config file (--config-file, default /etc/pouch/config.json, optional), then
 * the command line. Exits for --help/--version. */
int config_parse(struct pouchd_config *c, int argc, char **argv, struct pouch_err *err);
void config_done(struct pouchd_config *c);
