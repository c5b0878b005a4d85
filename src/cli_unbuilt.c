/* TEMPORARY scaffolding while the engines are written in parallel; each
 * function moves to its real module and this file is deleted before landing. */
#include "config.h"

#include <stdlib.h>

#include "cli.h"
#include "err.h"
#include "sync/sync.h"
#include "util.h"

