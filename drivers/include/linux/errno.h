/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shim of <linux/errno.h>. Copies kernel semantics: the user-visible error
 * numbers come from the host's <asm/errno.h> (the kernel's own UAPI
 * header, from linux-libc-dev), and the kernel-internal ones that never
 * reach user space are defined here with their kernel values.
 *
 * This header also stands in for the UAPI <linux/errno.h> when C library
 * headers are compiled with drivers/include first on the path (glibc's
 * <bits/errno.h> includes <linux/errno.h>), which is why it must provide
 * every standard value too.
 */
#ifndef _LINUX_ERRNO_H
#define _LINUX_ERRNO_H

#include <asm/errno.h>

#ifndef ERESTARTSYS
#define ERESTARTSYS		512
#endif
#ifndef ERESTARTNOINTR
#define ERESTARTNOINTR		513
#endif
#ifndef ERESTARTNOHAND
#define ERESTARTNOHAND		514
#endif
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD		515
#endif
#ifndef ERESTART_RESTARTBLOCK
#define ERESTART_RESTARTBLOCK	516
#endif
#ifndef EPROBE_DEFER
#define EPROBE_DEFER		517
#endif
#ifndef EOPENSTALE
#define EOPENSTALE		518
#endif
#ifndef ENOPARAM
#define ENOPARAM		519
#endif
#ifndef EBADHANDLE
#define EBADHANDLE		521
#endif
#ifndef ENOTSYNC
#define ENOTSYNC		522
#endif
#ifndef EBADCOOKIE
#define EBADCOOKIE		523
#endif
#ifndef ENOTSUPP
#define ENOTSUPP		524
#endif
#ifndef ETOOSMALL
#define ETOOSMALL		525
#endif
#ifndef ESERVERFAULT
#define ESERVERFAULT		526
#endif
#ifndef EBADTYPE
#define EBADTYPE		527
#endif
#ifndef EJUKEBOX
#define EJUKEBOX		528
#endif
#ifndef EIOCBQUEUED
#define EIOCBQUEUED		529
#endif
#ifndef ERECALLCONFLICT
#define ERECALLCONFLICT		530
#endif

#endif /* _LINUX_ERRNO_H */
