{#- The partition window Dagster passes as --vars, as SQL predicates. -#}
{% macro in_window(column) -%}
    {{ column }} >= '{{ var("window_start") }}'::timestamptz
    and {{ column }} < '{{ var("window_end") }}'::timestamptz
{%- endmacro %}

{#- On incremental runs, clear the window first so a re-run replaces it exactly,
    including rows whose source rows have since gone. -#}
{% macro clear_window(column) -%}
    {% if is_incremental() %}
    delete from {{ this }} where {{ in_window(column) }}
    {% endif %}
{%- endmacro %}
