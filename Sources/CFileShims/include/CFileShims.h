#ifndef P2P_FILE_SHIMS_H
#define P2P_FILE_SHIMS_H
// File-system calls and constants that Swift's Glibc module leaves out (they need _GNU_SOURCE).
// Nothing else lives here.

/// The `O_DIRECT` open flag of this platform, or 0 where there is none.
int p2p_o_direct(void);

/// Starts writing back `length` bytes of `fd` from `offset` without waiting for them
/// (Linux `sync_file_range` with `SYNC_FILE_RANGE_WRITE`; a length of 0 means to the end).
/// Returns 0, or -1 with errno set; 0 and nothing done where there is no such call.
/// Durability still needs `fsync`: this only lets the disk start early.
int p2p_start_writeback(int fd, long long offset, long long length);
#endif
