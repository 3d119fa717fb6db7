"""The placements URLs, one module per part of the cycle, all in the ``placements:``
namespace (placements/urls.py includes them)."""
