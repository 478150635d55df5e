/* tr-gl-probe.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-gl-probe"

#include "config.h"

#include <epoxy/gl.h>
#include <errno.h>
#include <gtk/gtk.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tr-gl-probe.h"

/* A renderer string is a line; more is not one. */
#define MAX_RENDERER_LEN 256

G_GNUC_NORETURN static void
probe_in_child (int fd)
{
  GdkGLContext *context;
  const char *renderer;

  /* The same path GTK's GL renderer takes: the display's GL (EGL or GLX,
   * whichever GDK picks), then a context, then its GL_RENDERER. */
  if (!gtk_init_check ())
    _exit (1);
  context = gdk_display_create_gl_context (gdk_display_get_default (), NULL);
  if (context == NULL || !gdk_gl_context_realize (context, NULL))
    _exit (1);
  gdk_gl_context_make_current (context);
  renderer = (const char *)glGetString (GL_RENDERER);
  if (renderer != NULL)
    {
      gsize len = strnlen (renderer, MAX_RENDERER_LEN);

      while (len > 0)
        {
          ssize_t n = write (fd, renderer, len);

          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            break;
          renderer += n;
          len -= (gsize)n;
        }
    }
  /* No atexit handlers, no GTK teardown: the parent only wants the line. */
  _exit (0);
}

char *
tr_gl_probe_renderer (guint timeout_ms)
{
  char buffer[MAX_RENDERER_LEN + 1];
  gsize got = 0;
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;
  gboolean finished = FALSE;
  int fds[2];
  pid_t pid;

  if (pipe (fds) != 0)
    return NULL;
  pid = fork ();
  if (pid < 0)
    {
      close (fds[0]);
      close (fds[1]);
      return NULL;
    }
  if (pid == 0)
    {
      close (fds[0]);
      probe_in_child (fds[1]);
    }

  close (fds[1]);
  while (got < MAX_RENDERER_LEN)
    {
      struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      ssize_t n;
      int ready;

      if (left <= 0)
        break;
      ready = poll (&pfd, 1, (int)left);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        break;
      n = read (fds[0], buffer + got, MAX_RENDERER_LEN - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          finished = n == 0;
          break;
        }
      got += (gsize)n;
    }
  close (fds[0]);

  /* A driver that hangs must not hold the kitchen screen. */
  if (!finished)
    kill (pid, SIGKILL);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;

  if (got == 0)
    return NULL;
  buffer[got] = '\0';
  return g_strdup (buffer);
}
