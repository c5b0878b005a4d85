#include "config.h"

#include "src/base/err.h"

const char *
tern_strerror(int err)
{
	switch ((tern_err)err) {
	case TERN_OK: return "success";
	case TERN_ENOMEM: return "out of memory";
	case TERN_EIO: return "input/output error";
	case TERN_EDB: return "database error";
	case TERN_ECONFIG: return "configuration error";
	case TERN_EINVAL: return "invalid argument";
	case TERN_ENOTFOUND: return "not found";
	case TERN_EBUSY: return "busy: locked by another process";
	case TERN_ETOONEW: return "database is newer than this tern";
	case TERN_ENET: return "network error";
	case TERN_ETIMEOUT: return "timed out";
	case TERN_ETLS: return "TLS error";
	case TERN_EAUTH: return "authentication failed";
	case TERN_EPROTO: return "protocol error";
	case TERN_EREFUSED: return "refused by the server";
	case TERN_ECONFLICT: return "conflict with server state";
	case TERN_ECANCELLED: return "cancelled";
	case TERN_EOFFLINE: return "offline";
	}
	return "unknown error";
}

int
tern_err_retryable(int err)
{
	switch ((tern_err)err) {
	case TERN_ENET:
	case TERN_ETIMEOUT:
	case TERN_ECONFLICT:
	case TERN_EOFFLINE:
	case TERN_EDB:
	case TERN_EPROTO:
		return 1;
	default:
		return 0;
	}
}
