#ifndef P2P_FILE_SHIMS_H
#define P2P_FILE_SHIMS_H
// File-system constants that Swift's Glibc module leaves out (they need _GNU_SOURCE).
// Nothing else lives here.

/// The `O_DIRECT` open flag of this platform, or 0 where there is none.
int p2p_o_direct(void);
#endif
