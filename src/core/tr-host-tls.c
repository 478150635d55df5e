/* tr-host-tls.c: the host's TLS certificate
 *
 * Its fingerprint (what stations pin at pairing) and, for --tls, making
 * a self-signed one when there is none yet.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "tr-host"

#include "config.h"

#include "tr-host-private.h"

#include <errno.h>
#include <string.h>

char *
tr_tls_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr (GByteArray) der = NULL;
  g_autoptr (GChecksum) checksum = NULL;
  guint8 digest[32];
  gsize length = sizeof digest;
  GString *text;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, der->data, der->len);
  g_checksum_get_digest (checksum, digest, &length);
  text = g_string_sized_new (3 * length);
  for (gsize i = 0; i < length; i++)
    g_string_append_printf (text, "%s%02X", i > 0 ? ":" : "", digest[i]);
  return g_string_free (text, FALSE);
}

#ifdef HAVE_GNUTLS
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define CERTIFICATE_YEARS 20

static gboolean
gnutls_failed (int rc, const char *what, GError **error)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot make a TLS certificate (%s): %s", what,
               gnutls_strerror (rc));
  return FALSE;
}

/* A self-signed ECDSA P-256 certificate and its key, as PEM. Stations
 * pin its fingerprint at pairing instead of checking a name, so the
 * subject only says what it is. */
static char *
make_certificate_pem (GError **error)
{
  gnutls_x509_privkey_t key = NULL;
  gnutls_x509_crt_t crt = NULL;
  gnutls_datum_t key_pem = { NULL, 0 }, crt_pem = { NULL, 0 };
  guint8 serial[16];
  time_t now = time (NULL);
  char *pem = NULL;
  int rc;

  if (!_tr_host_random_bytes (serial, sizeof serial, error))
    return NULL;
  serial[0] &= 0x7f; /* a positive INTEGER */

  if ((rc = gnutls_x509_privkey_init (&key)) < 0
      || (rc = gnutls_x509_privkey_generate (
            key, GNUTLS_PK_ECDSA, GNUTLS_CURVE_TO_BITS (GNUTLS_ECC_CURVE_SECP256R1), 0))
           < 0)
    {
      gnutls_failed (rc, "key", error);
      goto out;
    }
  if ((rc = gnutls_x509_crt_init (&crt)) < 0 || (rc = gnutls_x509_crt_set_version (crt, 3)) < 0
      || (rc = gnutls_x509_crt_set_serial (crt, serial, sizeof serial)) < 0
      || (rc = gnutls_x509_crt_set_activation_time (crt, now - 24 * 60 * 60)) < 0
      || (rc = gnutls_x509_crt_set_expiration_time (
            crt, now + (time_t)CERTIFICATE_YEARS * 365 * 24 * 60 * 60))
           < 0
      || (rc = gnutls_x509_crt_set_dn (crt, "CN=Ticketrail host,O=Ticketrail", NULL)) < 0
      || (rc = gnutls_x509_crt_set_key (crt, key)) < 0
      || (rc = gnutls_x509_crt_set_basic_constraints (crt, 0, -1)) < 0
      || (rc = gnutls_x509_crt_set_key_usage (crt, GNUTLS_KEY_DIGITAL_SIGNATURE)) < 0
      || (rc = gnutls_x509_crt_set_key_purpose_oid (crt, GNUTLS_KP_TLS_WWW_SERVER, 0)) < 0
      || (rc = gnutls_x509_crt_sign2 (crt, crt, key, GNUTLS_DIG_SHA256, 0)) < 0)
    {
      gnutls_failed (rc, "certificate", error);
      goto out;
    }
  if ((rc = gnutls_x509_crt_export2 (crt, GNUTLS_X509_FMT_PEM, &crt_pem)) < 0
      || (rc = gnutls_x509_privkey_export2_pkcs8 (key, GNUTLS_X509_FMT_PEM, NULL, GNUTLS_PKCS_PLAIN,
                                                  &key_pem))
           < 0)
    {
      gnutls_failed (rc, "export", error);
      goto out;
    }
  pem = g_strdup_printf ("%.*s%.*s", (int)crt_pem.size, (const char *)crt_pem.data,
                         (int)key_pem.size, (const char *)key_pem.data);

out:
  if (key_pem.data != NULL)
    {
      memset (key_pem.data, 0, key_pem.size);
      gnutls_free (key_pem.data);
    }
  gnutls_free (crt_pem.data);
  if (crt != NULL)
    gnutls_x509_crt_deinit (crt);
  if (key != NULL)
    gnutls_x509_privkey_deinit (key);
  return pem;
}
#endif

GTlsCertificate *
tr_tls_ensure_certificate (const char *path, GError **error)
{
  g_autofree char *pem = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return g_tls_certificate_new_from_file (path, error);

#ifdef HAVE_GNUTLS
  if (!(pem = make_certificate_pem (error)))
    return NULL;
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", dir,
                   g_strerror (saved_errno));
      return NULL;
    }
  /* The private key is in it: owner only. */
  if (!g_file_set_contents_full (path, pem, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return NULL;
  return g_tls_certificate_new_from_pem (pem, -1, error);
#else
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "%s does not exist, and this build cannot make certificates (no GnuTLS)", path);
  return NULL;
#endif
}
