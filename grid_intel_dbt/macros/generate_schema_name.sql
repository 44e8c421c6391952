{#- Models land in the warehouse layer named by their folder (silver, gold),
    not in "<target schema>_<layer>". -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
