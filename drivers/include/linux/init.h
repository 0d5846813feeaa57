/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/init.h>. A stub: section annotations mean nothing in the
 * simulator, because modules are loaded anew by every execution.
 */
#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H

#define __init
#define __exit
#define __initdata
#define __exitdata
#define __ref

#endif /* _LINUX_INIT_H */
