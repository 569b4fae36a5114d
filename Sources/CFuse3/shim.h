// libfuse3's high-level API, at version 3.1, and small wrappers for what Swift cannot
// reach: the macros `fuse_new` and `fuse_loop_mt` expand to, and the bit fields of
// `struct fuse_file_info` and `struct fuse_config`.
#ifndef P2P_CFUSE3_SHIM_H
#define P2P_CFUSE3_SHIM_H

#define FUSE_USE_VERSION 31
#include <fuse.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/xattr.h>

/// A `struct fuse` for `argv` (options such as `-o ro,fsname=p2p`), or NULL.
static inline struct fuse *p2p_fuse_new(int argc, char **argv, const struct fuse_operations *ops, void *data) {
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct fuse *fuse = fuse_new(&args, ops, sizeof(*ops), data);
    fuse_opt_free_args(&args);
    return fuse;
}

/// Serves requests on several threads until unmounted or `fuse_exit`; 0 on a clean end.
static inline int p2p_fuse_loop(struct fuse *fuse) {
    return fuse_loop_mt(fuse, 0);
}

/// The `private_data` given to `p2p_fuse_new`, inside an operation.
static inline void *p2p_fuse_private_data(void) {
    return fuse_get_context()->private_data;
}

/// The kernel keeps attributes and names for `timeout` seconds, and with `kernel_cache` a
/// file's pages across opens (immutable content); it reads ahead up to `readahead` bytes.
static inline void p2p_fuse_configure(struct fuse_conn_info *conn, struct fuse_config *config, double timeout, int kernel_cache, unsigned readahead) {
    config->kernel_cache = kernel_cache;
    config->entry_timeout = timeout;
    config->attr_timeout = timeout;
    config->negative_timeout = timeout;
    config->use_ino = 0;
    config->nullpath_ok = 0;
    if (readahead > conn->max_readahead) readahead = conn->max_readahead;
    conn->max_readahead = readahead;
}

/// Lets the kernel keep the pages of a file open after open (content never changes under a name).
static inline void p2p_fuse_keep_cache(struct fuse_file_info *info) {
    info->keep_cache = 1;
}

/// Adds one directory entry; nonzero when the buffer is full. With `plus`, its attributes
/// are complete, and the kernel keeps them (readdirplus: no lookup per entry after a listing).
static inline int p2p_fuse_fill(fuse_fill_dir_t filler, void *buffer, const char *name, const struct stat *attributes, off_t next, int plus) {
    return filler(buffer, name, attributes, next, plus ? FUSE_FILL_DIR_PLUS : 0);
}

#endif
