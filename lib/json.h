/* SPDX-License-Identifier: GPL-2.0 */
/*
 * JSON strings for every vmscope tool: quoted and escaped, so that a comm
 * set with prctl(PR_SET_NAME) (quotes, control bytes, any byte at all) or
 * a symbol name still makes valid JSON. Numbers need no help.
 */
#ifndef __VMSCOPE_JSON_H
#define __VMSCOPE_JSON_H

#include <stddef.h>
#include <stdio.h>

/* S as a JSON string, at most MAX bytes of it (stops at a NUL). */
void json_strn(FILE *f, const char *s, size_t max);
void json_str(FILE *f, const char *s);
/* ,"KEY":"VALUE" (no comma when FIRST). */
void json_kv_str(FILE *f, const char *key, const char *val, int first);

#endif /* __VMSCOPE_JSON_H */
