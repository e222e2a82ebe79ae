/* API handlers (one file per resource) and their shared helpers. */
#pragma once

#include "daemon/http.h"
#include "daemon/lifecycle.h"

/* Docker frame header + payload. stream: 1 stdout, 2 stderr. */
int write_frame(int fd, int stream, const void *buf, size_t len);
/* GET /containers/json entry. */
json_t *api_container_summary_locked(struct pouchd *d, struct container *c);

enum MHD_Result api_ping(struct http_req *r);
enum MHD_Result api_version(struct http_req *r);
enum MHD_Result api_info(struct http_req *r);
enum MHD_Result api_events(struct http_req *r);
enum MHD_Result api_system_df(struct http_req *r);

enum MHD_Result api_container_create(struct http_req *r);
enum MHD_Result api_container_list(struct http_req *r);
enum MHD_Result api_container_inspect(struct http_req *r);
enum MHD_Result api_container_start(struct http_req *r);
enum MHD_Result api_container_stop(struct http_req *r);
enum MHD_Result api_container_restart(struct http_req *r);
enum MHD_Result api_container_kill(struct http_req *r);
enum MHD_Result api_container_pause(struct http_req *r);
enum MHD_Result api_container_unpause(struct http_req *r);
enum MHD_Result api_container_rename(struct http_req *r);
enum MHD_Result api_container_delete(struct http_req *r);
enum MHD_Result api_container_prune(struct http_req *r);
enum MHD_Result api_container_wait(struct http_req *r);
enum MHD_Result api_container_resize(struct http_req *r);
enum MHD_Result api_container_top(struct http_req *r);
enum MHD_Result api_container_stats(struct http_req *r);
enum MHD_Result api_container_update(struct http_req *r);
enum MHD_Result api_container_logs(struct http_req *r);
enum MHD_Result api_container_attach(struct http_req *r);
enum MHD_Result api_container_archive_get(struct http_req *r);
enum MHD_Result api_container_archive_head(struct http_req *r);
enum MHD_Result api_container_archive_put(struct http_req *r);

enum MHD_Result api_exec_create(struct http_req *r);
/* lxcfs.c (pouch extensions) */
enum MHD_Result api_container_remount_lxcfs(struct http_req *r);
enum MHD_Result api_lxcfs_remount(struct http_req *r);
enum MHD_Result api_exec_start(struct http_req *r);
enum MHD_Result api_exec_inspect(struct http_req *r);
enum MHD_Result api_exec_resize(struct http_req *r);

enum MHD_Result api_image_list(struct http_req *r);
enum MHD_Result api_image_inspect(struct http_req *r);
enum MHD_Result api_image_delete(struct http_req *r);
enum MHD_Result api_image_tag(struct http_req *r);
enum MHD_Result api_image_load(struct http_req *r);
enum MHD_Result api_image_get(struct http_req *r);
enum MHD_Result api_image_create(struct http_req *r);
enum MHD_Result api_image_pull(struct http_req *r);
enum MHD_Result api_image_push(struct http_req *r);
enum MHD_Result api_auth(struct http_req *r);
enum MHD_Result api_image_history(struct http_req *r);
enum MHD_Result api_image_prune(struct http_req *r);

enum MHD_Result api_network_list(struct http_req *r);
enum MHD_Result api_network_inspect(struct http_req *r);
enum MHD_Result api_network_create(struct http_req *r);
enum MHD_Result api_network_delete(struct http_req *r);
enum MHD_Result api_network_prune(struct http_req *r);
enum MHD_Result api_network_connect(struct http_req *r);
enum MHD_Result api_network_disconnect(struct http_req *r);
enum MHD_Result api_volume_list(struct http_req *r);
enum MHD_Result api_volume_create(struct http_req *r);
enum MHD_Result api_volume_inspect(struct http_req *r);
enum MHD_Result api_volume_delete(struct http_req *r);
enum MHD_Result api_volume_prune(struct http_req *r);

/* One request line to a shim socket (attach.sock, exec-X.sock) and its one-line answer. */
int api_shim_request(struct pouchd *d, const char *id, const char *sock_name, const char *line, char *reply,
                     size_t reply_len);
/* RESIZE to a shim socket with the request's h and w (0..65535; -EINVAL otherwise, -EIO when the
 * shim fails). The caller checks that there is a running process with a tty. */
int api_resize(struct http_req *r, const char *id, const char *sock_name, struct pouch_err *err);
