/* pouch: the CLI. Parses global options and dispatches to one function per command. */
#include "cli.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct command commands[] = {
        { "run", cmd_run, "Create and run a new container", "run [OPTIONS] IMAGE [COMMAND] [ARG...]" },
        { "create", cmd_create, "Create a new container", "create [OPTIONS] IMAGE [COMMAND] [ARG...]" },
        { "start", cmd_start, "Start one or more stopped containers", "start [OPTIONS] CONTAINER [CONTAINER...]" },
        { "stop", cmd_simple, "Stop one or more running containers", "stop [-t SECONDS] CONTAINER [CONTAINER...]" },
        { "restart", cmd_simple, "Restart one or more containers", "restart [-t SECONDS] CONTAINER [CONTAINER...]" },
        { "kill", cmd_simple, "Kill one or more running containers", "kill [-s SIGNAL] CONTAINER [CONTAINER...]" },
        { "pause", cmd_simple, "Pause all processes within one or more containers", "pause CONTAINER [CONTAINER...]" },
        { "unpause", cmd_simple, "Unpause all processes within one or more containers",
          "unpause CONTAINER [CONTAINER...]" },
        { "rm", cmd_simple, "Remove one or more containers", "rm [-f] CONTAINER [CONTAINER...]" },
        { "ps", cmd_ps, "List containers", "ps [-a] [-q] [-n N] [-l] [--no-trunc] [-f KEY=VALUE] [--format TEMPLATE]" },
        { "logs", cmd_logs, "Fetch the logs of a container",
          "logs [-f] [-t] [--tail N] [--since T] [--until T] CONTAINER" },
        { "exec", cmd_exec, "Execute a command in a running container", "exec [OPTIONS] CONTAINER COMMAND [ARG...]" },
        { "attach", cmd_attach, "Attach to a running container", "attach [--no-stdin] CONTAINER" },
        { "inspect", cmd_inspect, "Return low-level information on containers or images",
          "inspect [-f FORMAT] NAME|ID [NAME|ID...]" },
        { "wait", cmd_wait, "Block until containers stop, then print their exit codes",
          "wait CONTAINER [CONTAINER...]" },
        { "rename", cmd_rename, "Rename a container", "rename CONTAINER NEW_NAME" },
        { "top", cmd_top, "Display the running processes of a container", "top CONTAINER [ps OPTIONS]" },
        { "cp", cmd_cp, "Copy files between a container and the local filesystem",
          "cp CONTAINER:SRC DEST | SRC CONTAINER:DEST" },
        { "images", cmd_images, "List images", "images [-q] [--digests] [--format TEMPLATE] [REPOSITORY[:TAG]]" },
        { "rmi", cmd_rmi, "Remove one or more images", "rmi [-f] IMAGE [IMAGE...]" },
        { "tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
          "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]" },
        { "pull", cmd_pull, "Download an image from a registry", "pull [--platform OS/ARCH] NAME[:TAG|@DIGEST]" },
        { "push", cmd_push, "Upload an image to a registry", "push NAME[:TAG]" },
        { "load", cmd_load, "Load an image from a tar archive or STDIN", "load [-i FILE]" },
        { "save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)",
          "save [-o FILE] IMAGE [IMAGE...]" },
        { "import", cmd_import, "Import the contents from a tarball to create a filesystem image",
          "import [-c CHANGE] FILE|- [REPOSITORY[:TAG]]" },
        { "login", cmd_login, "Log in to a registry", "login -u USER -p PASSWORD [SERVER]" },
        { "stats", cmd_stats, "Display a live stream of container resource usage statistics",
          "stats [--no-stream] [CONTAINER...]" },
        { "update", cmd_update, "Update the resource limits of one or more containers",
          "update [-m SIZE] [--memory-swap SIZE] [--cpus N] [--cpu-shares N] [--cpuset-cpus LIST] [--pids-limit N] [--restart POLICY] [--disk-quota RULE] CONTAINER..." },
        { "volume", cmd_volume, "Manage volumes", "volume create|ls|inspect|rm|prune" },
        { "remount-lxcfs", cmd_remount_lxcfs, "Bind lxcfs's /proc views again inside running containers",
          "remount-lxcfs [CONTAINER...]" },
        { "network", cmd_network, "Manage networks", "network create|ls|inspect|rm|connect|disconnect|prune" },
        { "port", cmd_port, "List port mappings of a container", "port CONTAINER [PRIVATE_PORT[/PROTO]]" },
        { "services", cmd_services, "List the services of a rich container",
          "services [--format table|json] CONTAINER" },
        { "history", cmd_history, "Show the history of an image",
          "history [-q] [--no-trunc] [--format TEMPLATE] IMAGE" },
        { "image", cmd_image, "Manage images", "image ls|inspect|rm|prune|history|tag|pull|push|save|load|import" },
        { "system", cmd_system, "Manage pouch", "system df|info|events" },
        { "logout", cmd_logout, "Log out from a registry", "logout [SERVER]" },
        { "events", cmd_events, "Get real time events from the server",
          "events [--since T] [--until T] [-f KEY=VALUE]" },
        { "version", cmd_version, "Show the pouch version information", "version" },
        { "info", cmd_info, "Display system-wide information", "info [-f FORMAT]" },
        { NULL, NULL, NULL, NULL },
};

static void usage(FILE *f)
{
        fprintf(f, "Usage:  pouch [OPTIONS] COMMAND\n\nA container engine for rich containers\n\n"
                   "Options:\n  -H, --host string   Daemon socket to connect to (default unix:///var/run/pouchd.sock, "
                   "or $POUCH_HOST)\n  -D, --debug         Enable debug mode\n  -v, --version       Print version\n\n"
                   "Commands:\n");
        for (const struct command *c = commands; c->name; c++)
                fprintf(f, "  %-10s %s\n", c->name, c->summary);
        fprintf(f, "\nRun 'pouch COMMAND --help' for more information on a command.\n");
}

int main(int argc, char **argv)
{
        struct cli c = { .host = getenv("POUCH_HOST") };
        if (!c.host || !*c.host)
                c.host = "unix:///var/run/pouchd.sock";
        int i = 1;
        for (; i < argc && argv[i][0] == '-'; i++) {
                if ((!strcmp(argv[i], "-H") || !strcmp(argv[i], "--host")) && i + 1 < argc)
                        c.host = argv[++i];
                else if (!strncmp(argv[i], "--host=", 7))
                        c.host = argv[i] + 7;
                else if (!strcmp(argv[i], "-D") || !strcmp(argv[i], "--debug"))
                        c.debug = true;
                else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
                        printf("pouch version %s, build %s\n", POUCH_VERSION, POUCH_GIT_COMMIT);
                        return 0;
                } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        usage(stdout);
                        return 0;
                } else {
                        fprintf(stderr, "unknown flag: %s\n", argv[i]);
                        usage(stderr);
                        return 1;
                }
        }
        if (i >= argc) {
                usage(stderr);
                return 1;
        }
        if (strncmp(c.host, "unix://", 7) != 0) {
                fprintf(stderr, "only unix:// hosts are supported by this client: %s\n", c.host);
                return 1;
        }
        c.sock = c.host + 7;
        signal(SIGPIPE, SIG_IGN);
        /* only unix-socket HTTP: no TLS library initialisation needed */
        curl_global_init(CURL_GLOBAL_NOTHING);
        const char *name = argv[i];
        /* "pouch container ls|rm|..." aliases; "pouch image ..." has its own command */
        if (!strcmp(name, "container") && i + 1 < argc) {
                i++;
                if (!strcmp(argv[i], "ls") || !strcmp(argv[i], "list"))
                        argv[i] = "ps";
                name = argv[i];
        }
        for (const struct command *c2 = commands; c2->name; c2++)
                if (!strcmp(c2->name, name)) {
                        int rc = c2->fn(&c, argc - i, argv + i);
                        curl_global_cleanup();
                        return rc;
                }
        fprintf(stderr, "pouch: '%s' is not a pouch command.\nSee 'pouch --help'\n", name);
        return 1;
}
