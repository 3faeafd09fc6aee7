/* spark-agent-types.c
 *
 * Copyright 2026 The Spark authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "spark-agent"

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "spark-agent-types.h"

G_DEFINE_QUARK (spark-agent-error-quark, spark_agent_error)

gboolean
spark_agent_error_is_retryable (const GError *error)
{
  if (error == NULL)
    return FALSE;

  if (error->domain == G_IO_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  if (error->domain != SPARK_AGENT_ERROR)
    return FALSE;

  switch ((SparkAgentError) error->code)
    {
    case SPARK_AGENT_ERROR_CONNECT:
    case SPARK_AGENT_ERROR_UNAVAILABLE:
    case SPARK_AGENT_ERROR_CLOSED:
    case SPARK_AGENT_ERROR_TIMEOUT:
    case SPARK_AGENT_ERROR_PREVIOUS_RESPONSE_NOT_FOUND:
    case SPARK_AGENT_ERROR_CONNECTION_LIMIT:
    case SPARK_AGENT_ERROR_PROTOCOL:
    case SPARK_AGENT_ERROR_RATE_LIMITED:
      return TRUE;

    case SPARK_AGENT_ERROR_FAILED:
    case SPARK_AGENT_ERROR_NO_API_KEY:
    case SPARK_AGENT_ERROR_INSECURE:
    case SPARK_AGENT_ERROR_WS_UNSUPPORTED:
    case SPARK_AGENT_ERROR_HTTP:
    case SPARK_AGENT_ERROR_CLOSED_FINAL:
    case SPARK_AGENT_ERROR_SERVER:
    case SPARK_AGENT_ERROR_RESPONSE_FAILED:
    case SPARK_AGENT_ERROR_INCOMPLETE:
    case SPARK_AGENT_ERROR_TOOL:
    case SPARK_AGENT_ERROR_BUSY:
    case SPARK_AGENT_ERROR_CONTEXT_MANAGEMENT_REJECTED:
    case SPARK_AGENT_ERROR_COMPACT_UNSUPPORTED:
    default:
      return FALSE;
    }
}

gboolean
spark_transport_kind_from_string (const char         *str,
                                  SparkTransportKind *kind)
{
  if (g_strcmp0 (str, "auto") == 0)
    *kind = SPARK_TRANSPORT_KIND_AUTO;
  else if (g_strcmp0 (str, "websocket") == 0 || g_strcmp0 (str, "ws") == 0)
    *kind = SPARK_TRANSPORT_KIND_WEBSOCKET;
  else if (g_strcmp0 (str, "http") == 0 || g_strcmp0 (str, "sse") == 0)
    *kind = SPARK_TRANSPORT_KIND_HTTP;
  else
    return FALSE;
  return TRUE;
}

gboolean
spark_wire_api_from_string (const char   *str,
                            SparkWireApi *wire_api)
{
  if (g_strcmp0 (str, "responses") == 0)
    *wire_api = SPARK_WIRE_API_RESPONSES;
  else if (g_strcmp0 (str, "chat") == 0)
    *wire_api = SPARK_WIRE_API_CHAT;
  else
    return FALSE;
  return TRUE;
}

gboolean
spark_approval_mode_from_string (const char        *str,
                                 SparkApprovalMode *mode)
{
  if (g_strcmp0 (str, "none") == 0)
    *mode = SPARK_APPROVAL_MODE_NONE;
  else if (g_strcmp0 (str, "edits") == 0)
    *mode = SPARK_APPROVAL_MODE_EDITS;
  else if (g_strcmp0 (str, "all") == 0)
    *mode = SPARK_APPROVAL_MODE_ALL;
  else
    return FALSE;
  return TRUE;
}

const char *
spark_connection_state_to_string (SparkConnectionState state)
{
  switch (state)
    {
    case SPARK_CONNECTION_STATE_OFFLINE: return "offline";
    case SPARK_CONNECTION_STATE_CONNECTING: return "connecting";
    case SPARK_CONNECTION_STATE_WARM: return "warm";
    case SPARK_CONNECTION_STATE_STREAMING: return "streaming";
    case SPARK_CONNECTION_STATE_RECONNECTING: return "reconnecting";
    case SPARK_CONNECTION_STATE_FALLBACK: return "fallback";
    default: return "unknown";
    }
}

gboolean
spark_uri_is_loopback (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  g_autoptr(GInetAddress) addr = NULL;

  if (host == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* GUri keeps IPv6 literals without brackets. */
  addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

char *
spark_endpoint_to_websocket_url (const char  *endpoint,
                                 GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *path = NULL;
  g_autofree char *full_path = NULL;
  const char *scheme;
  const char *ws_scheme;

  uri = g_uri_parse (endpoint, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return NULL;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    ws_scheme = "wss";
  else if (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "ws") == 0)
    ws_scheme = "ws";
  else
    {
      g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_FAILED,
                   _("Unsupported endpoint scheme “%s” (use http or https)"), scheme);
      return NULL;
    }

  path = g_strdup (g_uri_get_path (uri));
  while (path[0] != '\0' && path[strlen (path) - 1] == '/')
    path[strlen (path) - 1] = '\0';

  full_path = g_strconcat (path, "/responses", NULL);

  return g_uri_join (G_URI_FLAGS_NONE, ws_scheme, g_uri_get_userinfo (uri), g_uri_get_host (uri),
                     g_uri_get_port (uri), full_path, NULL, NULL);
}

gboolean
spark_endpoint_check_key_safe (const char  *url,
                               const char  *api_key,
                               GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, error);
  if (uri == NULL)
    return FALSE;

  if (api_key == NULL || api_key[0] == '\0')
    return TRUE;

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0 || g_ascii_strcasecmp (scheme, "wss") == 0)
    return TRUE;

  if (spark_uri_is_loopback (uri))
    return TRUE;

  g_set_error (error, SPARK_AGENT_ERROR, SPARK_AGENT_ERROR_INSECURE,
               /* translators: %s is a host name */
               _("Refusing to send the API key in clear text to %s; use https:// or a loopback "
                 "address"),
               g_uri_get_host (uri) ? g_uri_get_host (uri) : url);
  return FALSE;
}

char *
spark_redact_key (const char *text,
                  const char *api_key)
{
  GString *str;
  const char *p;
  gsize key_len;

  if (text == NULL)
    return NULL;

  if (api_key == NULL || (key_len = strlen (api_key)) < 4)
    return g_strdup (text);

  str = g_string_new (NULL);
  p = text;
  for (;;)
    {
      const char *hit = strstr (p, api_key);

      if (hit == NULL)
        {
          g_string_append (str, p);
          break;
        }
      g_string_append_len (str, p, hit - p);
      g_string_append (str, "[redacted]");
      p = hit + key_len;
    }

  return g_string_free (str, FALSE);
}
