"""The plan's topics known from the start (SPEC.md); loaded by a data migration."""

INITIAL_TOPICS = [
    ("aids", "艾滋病", "infectious"),
    ("tuberculosis", "结核病", "infectious"),
    ("avian_influenza", "人感染高致病性禽流感", "infectious"),
    ("hepatitis_b", "乙型病毒性肝炎", "infectious"),
    ("cardio_cerebrovascular", "心脑血管疾病", "chronic"),
    ("cancer", "恶性肿瘤", "chronic"),
    ("diabetes", "糖尿病", "chronic"),
    ("hypertension", "高血压", "chronic"),
    ("tobacco_control", "控烟", "lifestyle"),
    ("emergency", "突发公共卫生事件应对", "emergency"),
    ("health_law", "卫生法规", "law"),
    ("healthy_lifestyle", "健康生活方式", "lifestyle"),
    ("elderly_care", "老年保健", "population"),
    ("family_planning", "计划生育、优生优育", "population"),
    ("women_health", "妇女保健", "population"),
    ("adolescent_mental_health", "青春期卫生、心理健康", "population"),
]
