"""Admin of the directory vocabulary: the search's synonym groups (writes audited)."""

from django.contrib import admin

from directory import services
from directory.models import SearchSynonym


@admin.register(SearchSynonym)
class SearchSynonymAdmin(admin.ModelAdmin):
    list_display = ("terms", "note")
    search_fields = ("terms",)

    def save_model(self, request, obj, form, change):
        services.synonym_save(synonym=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.synonym_delete(synonym=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.synonym_delete(synonym=obj, actor=request.user)
