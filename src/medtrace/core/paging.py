from django.core.paginator import Paginator

PER_PAGE = 50


def paginate(request, queryset, per_page: int = PER_PAGE):
    """The requested page (?page=N); out-of-range numbers give the nearest page, not an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
