/* A non-blocking self-pipe: any thread pokes it, one thread polls its read
 * end and drains it. Pokes coalesce (a full pipe already says "look"). */
#ifndef TERN_WAKEPIPE_H
#define TERN_WAKEPIPE_H

struct wakepipe {
	int rd, wr;
};

/* TERN_OK or TERN_EIO. Both ends are O_CLOEXEC|O_NONBLOCK. */
int wakepipe_open(struct wakepipe *w);
void wakepipe_close(struct wakepipe *w);
/* The same over a FIFO at path (created 0600 if missing), so that another
 * process can wake the holder too (wakepipe_poke_path). */
int wakepipe_open_fifo(struct wakepipe *w, const char *path);
/* Pokes the FIFO at path if some process reads it: 1 if it did, 0 if nobody
 * reads it (or it is not a FIFO). */
int wakepipe_poke_path(const char *path);
/* Never blocks; safe from any thread and from a signal handler. */
void wakepipe_poke(int wr_fd);
/* Empties the pipe; returns whether anything was in it. */
int wakepipe_drain(int rd_fd);

#endif
