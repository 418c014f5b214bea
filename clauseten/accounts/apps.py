from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clauseten.accounts"
    label = "accounts"
