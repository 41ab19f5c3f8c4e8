from django.contrib import admin

from network.models import Agreement, Contact, WorkingGroup


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "municipality", "is_insofa", "is_public")
    list_filter = ("is_insofa", "is_public")


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "municipality", "next_review_on")
    list_filter = ("kind",)


admin.site.register(WorkingGroup)
