// SPDX-License-Identifier: GPL-2.0-only
/* Placeholder while the suite is written. */
#include "sync-test.h"
int main(void) { return 0; }
