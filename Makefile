# The two commands a newcomer needs (README): `make run` and `make test`.
.PHONY: run test install lint format messages bench check-deploy

run:            ## install, migrate, load the demo company, serve on http://127.0.0.1:8000
	scripts/run

test:           ## the whole suite on real PostgreSQL + Redis (started/installed if needed)
	scripts/test

install:
	scripts/install

lint:
	.venv/bin/ruff check .

format:
	.venv/bin/ruff format apps jxc tests bench

messages:       ## refresh and compile the Chinese translations (commit the .po and .mo)
	.venv/bin/python manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	.venv/bin/python manage.py compilemessages --ignore=.venv

check-deploy:   ## Django's deployment checklist with production settings
	JXC_PRODUCTION=1 SECRET_KEY=$$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  ALLOWED_HOSTS=jxc.example.com .venv/bin/python manage.py check --deploy --fail-level WARNING
