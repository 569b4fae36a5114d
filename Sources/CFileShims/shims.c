#define _GNU_SOURCE
#include <fcntl.h>
#include "CFileShims.h"

int p2p_o_direct(void) {
#ifdef O_DIRECT
    return O_DIRECT;
#else
    return 0;
#endif
}
