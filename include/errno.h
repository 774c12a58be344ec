/* SPDX-License-Identifier: MIT */
/* Error numbers, Linux's values; functions return them negated (-ENOMEM). */
#ifndef FERRITE_ERRNO_H
#define FERRITE_ERRNO_H

#define ENOENT 2
#define EIO 5
#define ENXIO 6
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ERANGE 34

#endif
