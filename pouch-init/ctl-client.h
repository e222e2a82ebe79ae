/* The control client (ctl-args.h): sends the request to pouch-init's control socket and prints
 * the answer. The socket is --socket PATH, else $POUCH_INIT_CTL_SOCKET, else
 * /run/pouch-init/ctl.sock. */
#pragma once

/* Run as ctl_personality(argc, argv) says (not CTL_AS_INIT): the exit code. */
int ctl_client_main(int argc, char **argv);
