#ifndef CPCRE2_SHIM_H
#define CPCRE2_SHIM_H

// We only use PCRE2's 8-bit code unit API: subjects are UTF-8 bytes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#endif
