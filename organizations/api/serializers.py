from rest_framework import serializers

from organizations.models import Membership


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "roles", "is_active", "created_at"]

    def get_roles(self, membership) -> list[str]:
        return sorted(str(role) for role in membership.roles)
