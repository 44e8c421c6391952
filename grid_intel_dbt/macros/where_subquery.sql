{#- A data test's `where` config is rendered when dbt parses the project, so it cannot
    hold the run's window (see window.sql). It names it with placeholders instead,
    __window_start__ and __window_end__, replaced here, when the test executes. -#}
{% macro default__get_where_subquery(relation) -%}
    {%- set where = config.get("where", "") -%}
    {%- if where -%}
        {%- set where = where
            | replace("__window_start__", "'" ~ grid_intel.window_bound("start") ~ "'")
            | replace("__window_end__", "'" ~ grid_intel.window_bound("end") ~ "'") -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {{- return(filtered) -}}
    {%- endif -%}
    {{- return(relation) -}}
{%- endmacro %}
