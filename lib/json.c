// SPDX-License-Identifier: GPL-2.0
#include "json.h"

void json_strn(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			/* Control bytes; and any other byte as the code point it is, so never invalid UTF-8. */
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void json_str(FILE *f, const char *s)
{
	json_strn(f, s, (size_t)-1);
}

void json_kv_str(FILE *f, const char *key, const char *val, int first)
{
	fprintf(f, "%s\"%s\":", first ? "" : ",", key);
	json_str(f, val);
}
