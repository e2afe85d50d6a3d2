/*
 * Graceful shutdown through the store: the runtime watches
 * control/shutdown and shuts the domain down with the reason the
 * toolstack wrote there (shutdown.c).
 */
#ifndef RT_SHUTDOWN_H
#define RT_SHUTDOWN_H

/* Register the control/shutdown watch (the store client must be up); 0 or -errno. */
int rt_shutdown_watch_start(void) __attribute__((warn_unused_result));

#endif /* RT_SHUTDOWN_H */
