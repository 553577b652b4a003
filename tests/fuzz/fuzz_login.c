/*
 * What a browser sends to sign in: the session cookie's value
 * (login_session_id_valid(), as web_session_cookie() checks it), the
 * form's user ID and continuation (login_user_normalize(),
 * login_start()), its User-Agent, which goes into the X.1280 offset, and
 * the password form (login_password()); then the progress and the
 * continuation of that login. The store has a user with an active
 * authenticator. The input is cookie, user, c, User-Agent and password,
 * one a line.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "login.h"

static struct fuzz	fz;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_open(&fz, fuzz_seed_user);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct login_terminal	 t;
	struct login_done	 done;
	struct session		 s;
	struct oob_view		 view;
	const char		*field[5];
	char			*in, user[USER_ID_MAX], password[256];
	uint32_t		 retry;

	in = fuzz_string(data, size);
	fuzz_fields(in, field, 5);
	if (field[0] == NULL || !login_session_id_valid(field[0]) ||
	    field[1] == NULL || strlen(field[1]) >= sizeof(user) ||
	    login_user_normalize(field[1], user) == -1)
		goto out;
	t.session_id = field[0];
	t.ua = field[3] != NULL ? field[3] : "";
	(void)login_start(&fz.f.ctx, &t, user, field[2] != NULL ? field[2] :
	    "", &retry);
	if (login_progress(&fz.f.ctx, field[0], &s, &view) == LOGIN_OK)
		(void)login_continue(&fz.f.ctx, field[0], &done);
	if (field[4] != NULL && strlen(field[4]) < sizeof(password)) {
		strcpy(password, field[4]);
		(void)login_password(&fz.f.ctx, field[0], user, password,
		    &done);
	}
	fuzz_next(&fz);
out:
	free(in);
	return (0);
}
